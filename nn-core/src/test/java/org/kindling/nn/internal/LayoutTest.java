package org.kindling.nn.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.kindling.nn.BatchNorm2d;
import org.kindling.nn.CloseTo;
import org.kindling.nn.Tensor;
import org.kindling.nn.functional.F;
import org.kindling.nn.functional.PaddingMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Convolution, max pooling and ReLU hand on channels-last views; every operation must compute the
 * same on such a view as on a row-major copy of it, forward and backward.
 */
class LayoutTest {
    private static final int[] ONE = {1, 1};

    private static INDArray randn(long... shape) {
        return Nd4j.randn(DataType.FLOAT, shape);
    }

    /** The same values as {@code x}, stored as [N, H, W, C]. */
    private static INDArray channelsLast(INDArray x) {
        return Layout.channelsLastView(x.permute(0, 2, 3, 1).dup('c'));
    }

    @Test
    void channelsLastIsRecognisedByStridesAlone() {
        INDArray x = randn(2, 3, 4, 5);
        INDArray cl = channelsLast(x);
        // the trap: ND4J calls the permuted array row-major and not a view
        assertEquals('c', cl.ordering());
        assertFalse(cl.isView());
        assertTrue(Layout.isChannelsLast(cl));
        assertFalse(Layout.isRowMajor(cl));
        assertFalse(Layout.isChannelsLast(x));
        assertTrue(Layout.isRowMajor(x));
        assertTrue(Layout.isRowMajor(Layout.nhwc(cl)), "the NHWC array under a view is its memory");
        assertArrayEquals(x.data().asFloat(), Layout.rowMajor(cl).data().asFloat());
        assertArrayEquals(new long[] {2, 4, 5, 3}, Layout.nhwc(x).shape());
    }

    @Test
    void convolutionPoolingAndElementwiseOperationsHandOnChannelsLast() {
        Nd4j.getRandom().setSeed(11);
        Tensor x = Tensor.of(randn(2, 3, 8, 8));
        Tensor w = Tensor.of(randn(4, 3, 3, 3));
        Tensor y = F.conv2d(x, w, null, ONE, ONE, ONE, 1);
        assertTrue(Layout.isChannelsLast(y.data()));
        assertTrue(Layout.isChannelsLast(F.relu(y).data()));
        assertTrue(Layout.isChannelsLast(F.sigmoid(y).data()));
        assertTrue(Layout.isChannelsLast(F.add(y, y).data()));
        assertTrue(Layout.isChannelsLast(new BatchNorm2d(4).forward(y).data()));
        Tensor p = F.maxPool2d(y, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, ONE, false);
        assertTrue(Layout.isChannelsLast(p.data()));
    }

    @Test
    void everyOperationComputesTheSameOnAChannelsLastView() {
        Nd4j.getRandom().setSeed(5);
        INDArray w = randn(6, 4, 3, 3);
        INDArray wGrouped = randn(6, 2, 3, 3);
        INDArray b = randn(6);
        int[] k2 = {2, 2};
        int[] zero = {0, 0};
        same("conv2d", t -> F.conv2d(t, Tensor.of(w), Tensor.of(b), ONE, ONE, ONE, 1));
        same("conv2d stride 2", t -> F.conv2d(t, Tensor.of(w), null, k2, ONE, ONE, 1));
        same("conv2d dilated", t -> F.conv2d(t, Tensor.of(w), null, ONE, k2, k2, 1));
        same("conv2d groups", t -> F.conv2d(t, Tensor.of(wGrouped), null, ONE, ONE, ONE, 2));
        same("max_pool2d", t -> F.maxPool2d(t, k2, k2, zero, ONE, false));
        same("max_pool2d ceil", t -> F.maxPool2d(t, new int[] {3, 3}, k2, ONE, ONE, true));
        same("max_pool2d dilated", t -> F.maxPool2d(t, k2, ONE, zero, k2, false));
        same("avg_pool2d", t -> F.avgPool2d(t, k2, k2, ONE, false, true));
        same("adaptive_avg_pool2d", t -> F.adaptiveAvgPool2d(t, 3, 2));
        same("relu", F::relu);
        same("sigmoid", F::sigmoid);
        same("pad reflect", t -> F.pad(t, 1, 2, 2, 1, PaddingMode.REFLECT));
        same("pad replicate", t -> F.pad(t, 1, 0, 0, 1, PaddingMode.REPLICATE));
        same("flatten", t -> F.flatten(t, 1, -1));
        same("add to row-major", t -> F.add(t, Tensor.of(Nd4j.ones(DataType.FLOAT, 2, 4, 7, 6))));
        same("batch_norm train", t -> new BatchNorm2d(4).forward(t));
        same("batch_norm eval", t -> new BatchNorm2d(4).eval().forward(t));
    }

    /**
     * {@code f} on a channels-last view and on the row-major array: outputs and input gradients.
     */
    private static void same(String op, Function<Tensor, Tensor> f) {
        Nd4j.getRandom().setSeed(op.hashCode());
        INDArray x = randn(2, 4, 7, 6);
        Tensor rowMajor = Tensor.requiringGrad(x);
        Tensor view = Tensor.requiringGrad(channelsLast(x));
        Tensor a = f.apply(rowMajor);
        Tensor c = f.apply(view);
        CloseTo.assertClose(op + " output", a.data(), c.data(), 1e-6);
        INDArray g = randn(a.shape());
        a.backward(g);
        c.backward(g.dup());
        CloseTo.assertClose(op + " input gradient", rowMajor.grad(), view.grad(), 1e-6);
    }
}
