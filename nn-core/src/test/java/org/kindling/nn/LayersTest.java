package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kindling.nn.functional.Broadcasts;
import org.kindling.nn.models.BasicBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The layers outside golden.json: gradients by finite differences, semantics by their definitions.
 */
class LayersTest {
    static INDArray x(long... shape) {
        Nd4j.getRandom().setSeed(3);
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    @Test
    void batchNormInTrainingNormalisesEachChannelAndBackpropagatesExactly() {
        BatchNorm2d bn = new BatchNorm2d(3);
        bn.to(DataType.DOUBLE);
        INDArray y = bn.forward(x(4, 3, 5, 5).mul(3).add(2));
        INDArray mean = Broadcasts.sumPerChannel(y).div(4 * 25);
        INDArray var =
                Broadcasts.sumPerChannel(Broadcasts.sub(y, mean).mul(Broadcasts.sub(y, mean)))
                        .div(4 * 25);
        for (int c = 0; c < 3; c++) {
            assertEquals(0, mean.getDouble(c), 1e-12);
            assertEquals(1, var.getDouble(c), 1e-3); // eps = 1e-5 in the denominator
        }
        GradCheck.check(new BatchNorm2d(3), x(2, 3, 3, 3), 1e-6);
    }

    @Test
    void batchNormUpdatesRunningStatisticsAndUsesThemInEval() {
        BatchNorm2d bn = new BatchNorm2d(2);
        bn.to(DataType.DOUBLE);
        INDArray in = x(3, 2, 2, 2).add(5);
        bn.forward(in);
        INDArray batchMean = Broadcasts.sumPerChannel(in).div(12);
        INDArray rm = bn.namedBuffers().get("running_mean");
        assertEquals(0.1 * batchMean.getDouble(0), rm.getDouble(0), 1e-12);
        assertEquals(1L, bn.namedBuffers().get("num_batches_tracked").getLong(0));
        bn.eval();
        INDArray a = bn.forward(in);
        INDArray b = bn.forward(in.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)));
        assertEquals(
                a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)),
                b,
                "eval output does not depend on the batch");
        GradCheck.check(bn, x(2, 2, 3, 3), 1e-6);
    }

    @Test
    void avgPoolFollowsCountIncludePadAndCeilMode() {
        INDArray ones = Nd4j.ones(DataType.DOUBLE, 1, 1, 3, 3);
        INDArray withPad = new AvgPool2d(2).stride(2).padding(1).forward(ones);
        assertArrayEquals(new long[] {1, 1, 2, 2}, withPad.shape());
        assertEquals(0.25, withPad.getDouble(0, 0, 0, 0), 1e-15); // 1 of 4 cells is real
        INDArray noPad = new AvgPool2d(2).stride(2).padding(1).countIncludePad(false).forward(ones);
        assertEquals(1.0, noPad.getDouble(0, 0, 0, 0), 1e-15);
        assertArrayEquals(
                new long[] {1, 1, 2, 2}, new AvgPool2d(2).ceilMode(true).forward(ones).shape());
        GradCheck.check(new AvgPool2d(2).stride(1).padding(1), x(2, 2, 4, 5), 1e-7);
    }

    @Test
    void adaptiveAvgPoolUsesPyTorchWindows() {
        INDArray in = Nd4j.arange(5).castTo(DataType.DOUBLE).reshape(1, 1, 1, 5);
        INDArray out = new AdaptiveAvgPool2d(1, 3).forward(in);
        // windows [0,2), [1,4), [3,5): means 0.5, 2, 3.5
        assertArrayEquals(new double[] {0.5, 2, 3.5}, out.reshape(3).toDoubleVector(), 1e-15);
        GradCheck.check(new AdaptiveAvgPool2d(2, 3), x(2, 2, 5, 7), 1e-7);
    }

    @Test
    void softmaxRowsSumToOneAndLogSoftmaxIsItsLog() {
        INDArray in = x(4, 6);
        INDArray p = new Softmax().forward(in);
        for (int i = 0; i < 4; i++) assertEquals(1, p.getRow(i).sumNumber().doubleValue(), 1e-12);
        INDArray lp = new LogSoftmax().forward(in);
        assertTrue(
                lp.sub(org.nd4j.linalg.ops.transforms.Transforms.log(p, true))
                                .amaxNumber()
                                .doubleValue()
                        < 1e-12);
        GradCheck.check(new Softmax(), in, 1e-7);
        GradCheck.check(new LogSoftmax(), in, 1e-7);
    }

    @Test
    void dropoutScalesKeptUnitsInTrainingAndIsTheIdentityInEval() {
        Dropout d = new Dropout(0.25);
        INDArray ones = Nd4j.ones(DataType.DOUBLE, 1000);
        INDArray y = d.forward(ones);
        long kept = y.gt(0).castTo(DataType.INT).sumNumber().longValue();
        assertTrue(kept > 650 && kept < 850, "kept " + kept + " of 1000");
        assertEquals(1 / 0.75, y.maxNumber().doubleValue(), 1e-12);
        assertEquals(ones, d.eval().forward(ones));
    }

    @Test
    void residualBlocksBackpropagateThroughBothPaths() {
        BasicBlock basic = new BasicBlock(2, 3, 2, false);
        GradCheck.check(basic, x(2, 2, 4, 4), 1e-5);
        BasicBlock bottleneck = new BasicBlock(4, 2, 1, true);
        GradCheck.check(bottleneck, x(2, 4, 3, 3), 1e-5);
    }

    @Test
    void paddingModesBackpropagateToTheirSourceCells() {
        for (String mode : new String[] {"reflect", "replicate", "circular"}) {
            GradCheck.check(
                    new Conv2d(Conv2d.options(2, 2, 3).padding(2).paddingMode(mode)),
                    x(1, 2, 4, 5),
                    1e-6);
        }
    }

    @Test
    void misuseIsReportedWithTheValues() {
        assertEquals(
                "Conv2d: groups must be a divisor of in_channels=3 but was: 2",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Conv2d.options(3, 4, 3).groups(2).build())
                        .getMessage());
        assertEquals(
                "Linear(in_features=10, out_features=2, bias=True) expects input [N, 10] but got shape [4, 3, 2, 2]; add a Flatten() before it",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new Linear(10, 2).forward(Nd4j.zeros(4, 3, 2, 2)))
                        .getMessage());
        assertEquals(
                "CrossEntropyLoss: target 12 at position 1 is out of range [0, 10)",
                assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        new org.kindling.nn.loss.CrossEntropyLoss()
                                                .forward(
                                                        Tensor.of(Nd4j.zeros(2, 10)),
                                                        Nd4j.createFromArray(new long[] {1, 12})))
                        .getMessage());
    }
}
