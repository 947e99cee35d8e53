package org.kindling.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kindling.nn.Tensor;
import org.kindling.nn.internal.Layout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float32 max pooling (oneDNN, keeping the maxima's positions for the backward pass) routes each
 * window's gradient to the same input as PyTorch's rule when a window holds its maximum more than
 * once (ReLU's zeros, saturated pixels): the first in row-major window order. Checked against the
 * reference loop ({@link MaxPool2dOp#applyWithIndices}), in NCHW and channels-last, with and
 * without padding and overlapping windows.
 */
class MaxPoolTiesTest {

    @Test
    void tiedMaximaTakeTheFirstInWindowOrder() {
        same(new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0});
        same(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1});
        same(new int[] {3, 2}, new int[] {1, 2}, new int[] {1, 0});
    }

    private static void same(int[] k, int[] s, int[] p) {
        int[] d = {1, 1};
        Nd4j.getRandom().setSeed(7);
        // values in {0, 1, 2}: most windows hold their maximum two or more times
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 4, 9, 8).muli(3).castTo(DataType.INT32);
        x = x.castTo(DataType.FLOAT);
        for (boolean channelsLast : new boolean[] {false, true}) {
            INDArray in =
                    channelsLast ? Layout.channelsLastView(x.permute(0, 2, 3, 1).dup('c')) : x;
            String what =
                    "k"
                            + k[0]
                            + "x"
                            + k[1]
                            + " s"
                            + s[0]
                            + "x"
                            + s[1]
                            + " p"
                            + p[0]
                            + "x"
                            + p[1]
                            + (channelsLast ? " channels-last" : " NCHW");
            assertEquals(channelsLast, Layout.isChannelsLast(in), what);
            Tensor fast = Tensor.requiringGrad(in.dup('c'));
            Tensor ref = Tensor.requiringGrad(x.castTo(DataType.DOUBLE));
            Tensor yFast = F.maxPool2d(fast, k, s, p, d, false);
            Tensor yRef = MaxPool2dOp.applyWithIndices(ref, k, s, p, d, false).output();
            assertArrayEquals(yRef.shape(), yFast.shape(), what);
            assertArrayEquals(
                    yRef.data().castTo(DataType.FLOAT).dup('c').data().asFloat(),
                    yFast.data().dup('c').data().asFloat(),
                    what + ": pooled values");
            // distinct powers of two: every sum of them is exact, so a gradient sent to a
            // different tied position shows as a different number
            double[] gv = new double[(int) yRef.data().length()];
            for (int i = 0; i < gv.length; i++) {
                gv[i] = Math.scalb(1.0, -(i % 20));
            }
            INDArray g = Nd4j.create(gv, yRef.shape(), DataType.DOUBLE);
            yRef.backward(g);
            yFast.backward(g.castTo(DataType.FLOAT));
            float[] want = ref.grad().castTo(DataType.FLOAT).dup('c').data().asFloat();
            float[] got = fast.grad().dup('c').data().asFloat();
            assertTrue(want.length == got.length, what);
            assertArrayEquals(want, got, what + ": input gradient");
        }
    }
}
