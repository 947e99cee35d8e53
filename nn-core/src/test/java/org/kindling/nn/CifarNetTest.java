package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kindling.nn.loss.CrossEntropyLoss;
import org.kindling.nn.models.CifarNet;
import org.kindling.nn.optim.SGD;
import org.kindling.nn.training.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CifarNetTest {

    @Test
    void courseNetworkHas145578ParametersWithPyTorchKeys() {
        Sequential net = CifarNet.create();
        assertEquals(145_578, net.numParameters());
        assertEquals(
                List.of(
                        "0.weight",
                        "0.bias",
                        "2.weight",
                        "2.bias",
                        "4.weight",
                        "4.bias",
                        "7.weight",
                        "7.bias",
                        "8.weight",
                        "8.bias"),
                List.copyOf(net.namedParameters().keySet()));
        assertArrayEquals(new long[] {32, 3, 5, 5}, net.namedParameters().get("0.weight").shape());
        assertArrayEquals(new long[] {64, 1024}, net.namedParameters().get("7.weight").shape());
    }

    @Test
    void shapesFollowTheCourseTable() {
        Sequential net = CifarNet.create();
        long[] s = {8, 3, 32, 32};
        long[][] expected = {
            {8, 32, 32, 32},
            {8, 32, 16, 16},
            {8, 32, 16, 16},
            {8, 32, 8, 8},
            {8, 64, 8, 8},
            {8, 64, 4, 4},
            {8, 1024},
            {8, 64},
            {8, 10}
        };
        for (int i = 0; i < net.size(); i++) {
            s = net.get(i).outputShape(s);
            assertArrayEquals(expected[i], s, "after layer " + i);
        }
        INDArray out = net.forward(Nd4j.rand(DataType.FLOAT, 8, 3, 32, 32));
        assertArrayEquals(new long[] {8, 10}, out.shape());
    }

    @Test
    void channelMismatchNamesTheLayerAndSuggestsTheFix() {
        Sequential net = CifarNet.create();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> net.outputShape(new long[] {64, 1, 28, 28}));
        assertTrue(
                e.getMessage()
                        .contains(
                                "Conv2d(in_channels=3) got input with 1 channel (shape [64, 1, 28, 28]); did you mean in_channels=1?"),
                e.getMessage());
        assertTrue(e.getMessage().startsWith("layer (0)"), e.getMessage());
    }

    @Test
    void trainingStepsOnOneBatchReduceTheLoss() {
        Init.manualSeed(1);
        Sequential net = CifarNet.create();
        Trainer t =
                new Trainer(
                        net, CifarNet.IMAGE_SHAPE, new CrossEntropyLoss(), new SGD(net, 0.05, 0.9));
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 3, 32, 32);
        INDArray y =
                Nd4j.createFromArray(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5});
        double first = t.step(x, y);
        double last = first;
        for (int i = 0; i < 30; i++) {
            last = t.step(x, y);
        }
        assertTrue(last < first * 0.75, "loss went from " + first + " to " + last);
    }

    @Test
    void trainerStepsInItsWorkspaceEqualThePlainPyTorchStyleLoop() {
        Init.manualSeed(5);
        Sequential a = CifarNet.create();
        Init.manualSeed(5);
        Sequential b = CifarNet.create();
        Trainer t =
                new Trainer(a, CifarNet.IMAGE_SHAPE, new CrossEntropyLoss(), new SGD(a, 0.05, 0.9));
        SGD opt = new SGD(b, 0.05, 0.9);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        Nd4j.getRandom().setSeed(9);
        for (int s = 0; s < 4; s++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3, 32, 32);
            INDArray y = Nd4j.createFromArray(new long[] {0, 1, 2, 3, 4, 5, 6, 7});
            double la = t.step(x, y);
            opt.zeroGrad();
            Tensor loss = lossFn.forward(b.forward(Tensor.of(x)), y);
            loss.backward();
            opt.step();
            assertEquals(loss.item(), la, "loss of step " + s);
        }
        assertEquals(
                b.namedParameters().get("0.weight").data(),
                a.namedParameters().get("0.weight").data());
        assertArrayEquals(opt.state().toFloatVector(), t.optimizerState());
        assertEquals(
                b.eval().forward(Nd4j.ones(DataType.FLOAT, 2, 3, 32, 32)),
                t.predict(Nd4j.ones(DataType.FLOAT, 2, 3, 32, 32)));
    }

    @Test
    void parametersAndOptimizerStateRoundTripAsFlatArrays() {
        Sequential net = CifarNet.create();
        Trainer t =
                new Trainer(
                        net, CifarNet.IMAGE_SHAPE, new CrossEntropyLoss(), new SGD(net, 0.01, 0.9));
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
        INDArray y = Nd4j.createFromArray(new long[] {1, 2, 3, 4});
        t.step(x, y);
        float[] p = t.parameters();
        float[] s = t.optimizerState();
        assertEquals(145_578, p.length);
        assertEquals(1 + 145_578, s.length);
        assertEquals(1f, s[0]);
        Sequential other = CifarNet.create();
        Trainer u =
                new Trainer(
                        other,
                        CifarNet.IMAGE_SHAPE,
                        new CrossEntropyLoss(),
                        new SGD(other, 0.01, 0.9));
        u.setParameters(p);
        u.setOptimizerState(s);
        t.step(x, y);
        u.step(x, y);
        assertArrayEquals(t.parameters(), u.parameters());
        assertEquals(
                net.namedParameters().get("8.bias").data(),
                other.namedParameters().get("8.bias").data());
    }
}
