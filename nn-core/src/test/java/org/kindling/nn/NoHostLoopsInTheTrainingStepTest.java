package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.kindling.nn.loss.CrossEntropyLoss;
import org.kindling.nn.loss.Loss;
import org.kindling.nn.models.Zoo;
import org.kindling.nn.optim.SGD;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training step runs in native ND4J/libnd4j ops, with no Java loop over tensor elements.
 *
 * <p>Design: {@link HostArrays} replaces ND4J's buffer factory for the duration of one step and
 * records every buffer built from a Java array longer than {@value HostArrays#THRESHOLD} elements.
 * A host loop must hand its result back to ND4J that way ({@code Nd4j.create(double[], shape)}),
 * while native ops allocate their outputs by length. Each network first takes one step outside the
 * guard (so caches of shape-derived constants, such as the selection matrices of padding and
 * average pooling, are built once per shape as in real training), then one step (zero_grad,
 * forward, loss, backward, optimizer step) inside it, which must record nothing. The networks cover
 * the layers whose kernels used to loop on the host: padding in every mode, max pooling in ceil
 * mode and with dilation, average pooling with ceil mode and without counting padding, adaptive
 * average pooling, and cross-entropy with label smoothing, class weights and an ignored target;
 * plus the zoo's cifarnet and resnet18_cifar (BatchNorm, residual blocks). {@link
 * #theGuardSeesAHostLoop} shows that the guard does fail on a Java element loop, so a loop
 * reintroduced in any of these layers makes this test fail with the line that builds the array.
 */
class NoHostLoopsInTheTrainingStepTest {
    private static final int BATCH = 16;

    @Test
    void theGuardSeesAHostLoop() {
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 10);
        List<String> events;
        try (HostArrays guard = HostArrays.watch()) {
            double[] v = x.dup('c').data().asDouble();
            for (int i = 0; i < v.length; i++) v[i] = Math.max(0, v[i]); // a ReLU on the host
            Nd4j.create(v, x.shape(), x.dataType());
            events = guard.events();
        }
        assertEquals(1, events.size(), events.toString());
        assertTrue(events.get(0).contains(getClass().getName()), events.get(0));
    }

    @Test
    void cifarnetStepsInNativeOps() {
        assertNoHostArrays(
                () -> Zoo.create("cifarnet", 10), new long[] {3, 32, 32}, new CrossEntropyLoss());
    }

    @Test
    void resnet18CifarStepsInNativeOps() {
        assertNoHostArrays(
                () -> Zoo.create("resnet18_cifar", 10),
                new long[] {3, 32, 32},
                new CrossEntropyLoss());
    }

    @Test
    void paddingModesPoolingVariantsAndLabelSmoothingStepInNativeOps() {
        Supplier<Module> net =
                () ->
                        new Sequential(
                                new Conv2d(
                                        Conv2d.options(3, 8, 3).padding(2).paddingMode("reflect")),
                                new ReLU(),
                                new Conv2d(
                                        Conv2d.options(8, 8, 3)
                                                .padding(1)
                                                .paddingMode("replicate")),
                                new MaxPool2d(3, 2).ceilMode(true),
                                new Conv2d(
                                        Conv2d.options(8, 8, 3).padding(1).paddingMode("circular")),
                                new MaxPool2d(2, 1).dilation(2).padding(1),
                                new Conv2d(Conv2d.options(8, 8, 3).padding(1)),
                                new AvgPool2d(3)
                                        .stride(2)
                                        .padding(1)
                                        .ceilMode(true)
                                        .countIncludePad(false),
                                new AvgPool2d(2),
                                new AdaptiveAvgPool2d(3, 2),
                                new Flatten(),
                                new Linear(8 * 3 * 2, 10));
        CrossEntropyLoss loss =
                new CrossEntropyLoss()
                        .labelSmoothing(0.1)
                        .weight(1, 2, 1, 1, 0.5, 1, 1, 3, 1, 1)
                        .ignoreIndex(3);
        assertNoHostArrays(net, new long[] {3, 30, 30}, loss);
    }

    private static void assertNoHostArrays(Supplier<Module> build, long[] shape, Loss lossFn) {
        Init.manualSeed(1);
        Module m = build.get();
        SGD opt = new SGD(m, 0.01, 0.9);
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, shape[0], shape[1], shape[2]);
        long[] labels = new long[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = i % 10;
        INDArray y = Nd4j.createFromArray(labels);
        step(m, opt, lossFn, x, y); // warm-up: per-shape constants are built here
        List<String> events;
        double loss;
        try (HostArrays guard = HostArrays.watch()) {
            loss = step(m, opt, lossFn, x, y);
            events = guard.events();
        }
        assertTrue(Double.isFinite(loss), "loss " + loss);
        assertFalse(
                !events.isEmpty(),
                "the training step built ND4J arrays from Java arrays (a host loop over elements):\n  "
                        + String.join("\n  ", events));
    }

    private static double step(Module m, SGD opt, Loss lossFn, INDArray x, INDArray y) {
        opt.zeroGrad();
        Tensor loss = lossFn.forward(m.forward(Tensor.of(x)), y);
        loss.backward();
        opt.step();
        return loss.item();
    }
}
