package org.kindling.nn.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kindling.nn.Tensor;
import org.kindling.nn.internal.Finite;
import org.kindling.nn.internal.Layout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Max pooling propagates a NaN and pools infinities as PyTorch does, wherever they are: float32
 * pooling takes libnd4j's native op only when its guard finds every element finite, so the guard
 * must see every element, of row-major arrays, channels-last views and batch slices alike.
 */
class MaxPoolNonFiniteTest {
    private static final int[] K2 = {2, 2};
    private static final int[] ZERO = {0, 0};
    private static final int[] ONE = {1, 1};

    private static Tensor pool(INDArray x) {
        return F.maxPool2d(Tensor.of(x), K2, K2, ZERO, ONE, false);
    }

    /** For a NaN at [n, c, h, w], the one output at [n, c, h / 2, w / 2] is NaN. */
    private static void assertOnlyItsWindowIsNaN(INDArray out, long n, long c, long h, long w) {
        INDArray rowMajor = out.dup('c');
        INDArray nan = rowMajor.isNaN().castTo(DataType.FLOAT);
        String at = "NaN at [" + n + ", " + c + ", " + h + ", " + w + "]";
        assertEquals(1.0, nan.sumNumber().doubleValue(), at + ": NaN outputs");
        assertTrue(Double.isNaN(rowMajor.getDouble(n, c, h / 2, w / 2)), at);
    }

    @Test
    void aNaNAnywherePropagatesToItsWindow() {
        long[] shape = {2, 3, 6, 4};
        INDArray base = Nd4j.rand(DataType.FLOAT, shape);
        for (boolean channelsLast : new boolean[] {false, true}) {
            for (long n = 0; n < shape[0]; n++) {
                for (long c = 0; c < shape[1]; c++) {
                    for (long h = 0; h < shape[2]; h++) {
                        for (long w = 0; w < shape[3]; w++) {
                            INDArray x = base.dup('c');
                            x.putScalar(new long[] {n, c, h, w}, Float.NaN);
                            if (channelsLast) {
                                x = Layout.channelsLastView(x.permute(0, 2, 3, 1).dup('c'));
                            }
                            assertOnlyItsWindowIsNaN(pool(x).data(), n, c, h, w);
                        }
                    }
                }
            }
        }
    }

    @Test
    void theGuardSeesEveryElementOfLargeArraysAndSlices() {
        INDArray big = Nd4j.rand(DataType.FLOAT, 64, 32, 32, 32);
        assertTrue(Finite.bySum(big));
        for (long i : new long[] {0, 1, 12_345, big.length() - 2, big.length() - 1}) {
            INDArray x = big.dup('c');
            x.data().put(i, Float.NaN);
            assertFalse(Finite.bySum(x), "NaN at flat index " + i);
            assertFalse(
                    Finite.bySum(Layout.channelsLastView(x.reshape(64, 32, 32, 32))),
                    "channels-last, NaN at flat index " + i);
        }
        INDArray x = big.dup('c');
        x.putScalar(new long[] {40, 31, 31, 31}, Float.NaN);
        INDArray before = x.get(NDArrayIndex.interval(0, 40));
        INDArray from = x.get(NDArrayIndex.interval(40, 64));
        assertTrue(Finite.bySum(before), "a slice before the NaN");
        assertFalse(Finite.bySum(from), "a slice holding the NaN");
        assertOnlyItsWindowIsNaN(pool(from).data(), 0, 31, 31, 31);
        // infinities take the exact path too: libnd4j pools a window of -inf as -3.4e38
        INDArray inf = big.dup('c');
        inf.putScalar(new long[] {0, 0, 0, 0}, Float.POSITIVE_INFINITY);
        inf.putScalar(new long[] {0, 0, 0, 1}, Float.NEGATIVE_INFINITY);
        inf.putScalar(new long[] {0, 1, 0, 0}, Float.NEGATIVE_INFINITY);
        inf.putScalar(new long[] {0, 1, 0, 1}, Float.NEGATIVE_INFINITY);
        inf.putScalar(new long[] {0, 1, 1, 0}, Float.NEGATIVE_INFINITY);
        inf.putScalar(new long[] {0, 1, 1, 1}, Float.NEGATIVE_INFINITY);
        assertFalse(Finite.bySum(inf));
        INDArray out = pool(inf).data();
        assertEquals(Double.POSITIVE_INFINITY, out.getDouble(0, 0, 0, 0));
        assertEquals(Double.NEGATIVE_INFINITY, out.getDouble(0, 1, 0, 0));
    }
}
