package org.kindling.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kindling.nn.Linear;
import org.kindling.nn.Module;
import org.kindling.nn.Parameter;
import org.kindling.nn.Sequential;
import org.kindling.nn.Summary;
import org.kindling.nn.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Zoo models have torchvision's parameter counts, output shapes and key names, and run forward. */
class ZooTest {

    @ParameterizedTest(name = "{0}: {1} parameters")
    @CsvSource({
        "cifarnet, 145578, 10",
        "tudui, 145578, 10",
        "lenet5, 61706, 10",
        "alexnet, 61100840, 1000",
        "vgg11, 132863336, 1000",
        "vgg16, 138357544, 1000",
        "resnet18, 11689512, 1000",
        "resnet34, 21797672, 1000",
        "resnet50, 25557032, 1000",
        "resnet18_cifar, 11173962, 10"
    })
    void parameterCountsAndOutputShapesMatchPyTorch(String name, long params, int classes) {
        Module m = Zoo.create(name, classes);
        assertEquals(params, m.numParameters());
        long[] in = Zoo.inputShape(name);
        assertArrayEquals(
                new long[] {2, classes}, m.outputShape(new long[] {2, in[0], in[1], in[2]}));
    }

    @ParameterizedTest(name = "{0} runs forward on {1}x{2}")
    @CsvSource({
        "lenet5, 1, 28",
        "cifarnet, 3, 32",
        "resnet18_cifar, 3, 32",
        "resnet18, 3, 64",
        "resnet50, 3, 64",
        "vgg11, 3, 32",
        "alexnet, 3, 64"
    })
    void zooModelsRunForwardAndBackward(String name, int channels, int size) {
        Module m = Zoo.create(name, 10);
        Nd4j.getRandom().setSeed(5);
        Tensor out = m.forward(Tensor.of(Nd4j.rand(DataType.FLOAT, 2, channels, size, size)));
        assertArrayEquals(new long[] {2, 10}, out.shape());
        // A random upstream gradient: all-ones can cancel exactly (e.g. through batch norm).
        out.backward(Nd4j.randn(DataType.FLOAT, 2, 10));
        int checked = 0;
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            if (!p.requiresGrad()) continue;
            INDArray g = p.grad();
            assertArrayEquals(p.shape(), g.shape(), e.getKey() + " gradient shape");
            double[] v = g.castTo(DataType.DOUBLE).dup().ravel().toDoubleVector();
            long nonFinite = Arrays.stream(v).filter(d -> !Double.isFinite(d)).count();
            assertEquals(0, nonFinite, e.getKey() + " has non-finite gradient elements");
            assertTrue(
                    g.amaxNumber().doubleValue() > 0, e.getKey() + " got no gradient (all zero)");
            checked++;
        }
        assertEquals(m.parameters().size(), checked, "every parameter is trainable in a new model");
    }

    @ParameterizedTest(name = "{0}: autograd equals finite differences")
    @CsvSource({"lenet5, 1, 28", "cifarnet, 3, 32"})
    void smallZooModelGradientsMatchFiniteDifferences(String name, int channels, int size) {
        Module m = Zoo.create(name, 10).to(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, channels, size, size);
        INDArray w = Nd4j.randn(DataType.DOUBLE, 2, 10);
        // L = sum(model(x) * w), so dL/d(output) = w.
        Function<Module, Double> loss =
                mod -> mod.forward(Tensor.of(x)).data().mul(w).sumNumber().doubleValue();
        m.zeroGrad();
        m.forward(Tensor.of(x)).backward(w);
        java.util.SplittableRandom pick = new java.util.SplittableRandom(3);
        double h = 1e-6;
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            INDArray data = e.getValue().data().reshape(e.getValue().numel());
            INDArray grad = e.getValue().grad().dup().reshape(e.getValue().numel());
            // The element with the largest gradient and a random one.
            long[] elements = {
                Transforms.abs(grad, true).argMax().getLong(0), pick.nextLong(e.getValue().numel())
            };
            for (long i : elements) {
                double v = data.getDouble(i);
                data.putScalar(i, v + h);
                double up = loss.apply(m);
                data.putScalar(i, v - h);
                double down = loss.apply(m);
                data.putScalar(i, v);
                double numeric = (up - down) / (2 * h);
                double analytic = grad.getDouble(i);
                assertEquals(
                        numeric,
                        analytic,
                        1e-6 * Math.max(1, Math.abs(numeric)),
                        e.getKey() + "[" + i + "]: autograd " + analytic + ", numeric " + numeric);
            }
        }
    }

    @Test
    void resnetKeysFollowTorchvision() {
        Map<String, ?> keys = Zoo.create("resnet18", 1000).stateEntries();
        for (String k :
                List.of(
                        "conv1.weight",
                        "bn1.running_mean",
                        "bn1.num_batches_tracked",
                        "layer1.0.conv1.weight",
                        "layer2.0.downsample.0.weight",
                        "layer2.0.downsample.1.running_var",
                        "layer4.1.bn2.bias",
                        "fc.weight",
                        "fc.bias")) {
            assertTrue(
                    keys.containsKey(k),
                    k + " missing; keys start " + List.copyOf(keys.keySet()).subList(0, 8));
        }
        assertEquals(122, keys.size()); // 62 parameters + 60 buffers, as torchvision's
        // resnet18().state_dict()
    }

    @Test
    void vggClassifierCanBeReplacedAndExtendedLikeTheCourse() {
        Sequential vgg = (Sequential) Zoo.create("vgg11", 1000);
        Sequential classifier = (Sequential) vgg.child("classifier");
        classifier.addModule(
                "add_linear",
                new Linear(1000, 10)); // vgg16.classifier.add_module("add_linear", ...)
        assertArrayEquals(new long[] {1, 10}, vgg.outputShape(new long[] {1, 3, 224, 224}));
        Sequential vgg2 = (Sequential) Zoo.create("vgg11", 1000);
        ((Sequential) vgg2.child("classifier"))
                .set(6, new Linear(4096, 10)); // classifier[6] = Linear(4096, 10)
        assertArrayEquals(new long[] {1, 10}, vgg2.outputShape(new long[] {1, 3, 224, 224}));
        assertTrue(vgg2.stateEntries().containsKey("classifier.6.weight"));
    }

    @Test
    void summaryListsLayersShapesAndCounts() {
        String s = Summary.of(Zoo.create("cifarnet", 10), 1, 3, 32, 32);
        assertTrue(s.contains("[1, 32, 32, 32]"), s);
        assertTrue(s.contains("Total params: 145,578"), s);
        assertTrue(s.contains("Linear(in_features=1024, out_features=64, bias=True)"), s);
    }

    @Test
    void unknownModelNamesListTheKnownOnes() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Zoo.create("resnet101", 10));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "unknown model 'resnet101'; known models: cifarnet, tudui, lenet5"),
                e.getMessage());
    }
}
