package org.kindling.nn.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Whether arrays hold NaN or infinities, checked natively without a copy to the host.
 *
 * <p>The fast check is the BLAS sum of absolute values: a NaN term makes it NaN, an infinite one
 * infinite, so a finite sum proves every element finite. BLAS's {@code asum} runs ~9x faster than
 * ND4J's {@code sum} (0.07 vs 0.6 ms for a [64, 32, 32, 32] array; profile 12 in
 * docs/PERFORMANCE.md), itself a fraction of a {@code MatchCondition} scan. Only a sum that
 * overflows needs the exact scan.
 */
public final class Finite {
    private Finite() {}

    /**
     * True only if every element of {@code a} (float32 or float64: what BLAS sums) is finite; false
     * also when the sum of absolute values overflows, so callers that must be exact check again
     * with {@link #all}. Summed in memory order: NHWC for a channels-last array.
     */
    public static boolean bySum(INDArray a) {
        if (!summable(a)) {
            throw new IllegalArgumentException(
                    "Finite.bySum: expected a FLOAT or DOUBLE array but got " + a.dataType());
        }
        INDArray m = Layout.rowMajor(Layout.isChannelsLast(a) ? Layout.nhwc(a) : a);
        return Double.isFinite(Nd4j.getBlasWrapper().asum(m.reshape(m.length())));
    }

    /**
     * Whether every element of {@code a} is finite: the sum first, the exact scan if it fails.
     * Integer arrays always are; half-precision ones are checked as float32 (libnd4j's scan misses
     * their NaN).
     */
    public static boolean all(INDArray a) {
        if (a.isEmpty() || !a.dataType().isFPType()) {
            return true;
        }
        INDArray x = summable(a) ? a : a.castTo(DataType.FLOAT);
        if (bySum(x)) {
            return true;
        }
        MatchCondition op = new MatchCondition(x, Conditions.notFinite());
        return Nd4j.getExecutioner().exec(op).getLong(0) == 0;
    }

    private static boolean summable(INDArray a) {
        return a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE;
    }
}
