package org.kindling.nn.functional;

import java.util.Arrays;
import org.kindling.nn.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Padding of the last two dimensions of an [N, C, H, W] tensor. Backward adds the gradient of every
 * padded cell back to the input cell it was copied from.
 */
final class PadOp {
    private PadOp() {}

    static Tensor apply(Tensor x, int left, int right, int top, int bottom, PaddingMode mode) {
        INDArray in = x.data();
        if (in.rank() != 4) {
            throw new IllegalArgumentException(
                    "pad: expected [N, C, H, W] but got shape " + Arrays.toString(in.shape()));
        }
        int h = (int) in.size(2);
        int w = (int) in.size(3);
        int[] rowSrc = sources(h, top, bottom, mode, "height");
        int[] colSrc = sources(w, left, right, mode, "width");
        long planes = in.size(0) * in.size(1);
        int ho = rowSrc.length;
        int wo = colSrc.length;
        double[] src = in.dup('c').data().asDouble();
        double[] dst = new double[(int) (planes * ho * wo)];
        for (long pl = 0; pl < planes; pl++) {
            int si = (int) (pl * h * w);
            int di = (int) (pl * ho * wo);
            for (int i = 0; i < ho; i++) {
                if (rowSrc[i] < 0) continue;
                for (int j = 0; j < wo; j++) {
                    if (colSrc[j] >= 0) {
                        dst[di + i * wo + j] = src[si + rowSrc[i] * w + colSrc[j]];
                    }
                }
            }
        }
        INDArray out = Nd4j.create(dst, new long[] {in.size(0), in.size(1), ho, wo}, in.dataType());
        return Tensor.derived(
                out,
                g -> {
                    double[] gs = g.dup('c').data().asDouble();
                    double[] gi = new double[(int) (planes * h * w)];
                    for (long pl = 0; pl < planes; pl++) {
                        int si = (int) (pl * h * w);
                        int di = (int) (pl * ho * wo);
                        for (int i = 0; i < ho; i++) {
                            if (rowSrc[i] < 0) continue;
                            for (int j = 0; j < wo; j++) {
                                if (colSrc[j] >= 0) {
                                    gi[si + rowSrc[i] * w + colSrc[j]] += gs[di + i * wo + j];
                                }
                            }
                        }
                    }
                    return new INDArray[] {Nd4j.create(gi, in.shape(), in.dataType())};
                },
                x);
    }

    /** For each output index along one axis, the input index it copies (-1 for a zero cell). */
    private static int[] sources(int n, int before, int after, PaddingMode mode, String dim) {
        if (before < 0 || after < 0) {
            throw new IllegalArgumentException(
                    "pad: padding must be >= 0 but " + dim + " has " + before + ", " + after);
        }
        int max = Math.max(before, after);
        if (mode == PaddingMode.REFLECT && max >= n) {
            throw new IllegalArgumentException(
                    "pad: reflect padding "
                            + max
                            + " must be smaller than the input "
                            + dim
                            + " "
                            + n);
        }
        if (mode == PaddingMode.CIRCULAR && max > n) {
            throw new IllegalArgumentException(
                    "pad: circular padding " + max + " must not exceed the input " + dim + " " + n);
        }
        int[] src = new int[n + before + after];
        for (int o = 0; o < src.length; o++) {
            int i = o - before;
            if (i >= 0 && i < n) {
                src[o] = i;
                continue;
            }
            switch (mode) {
                case ZEROS:
                    src[o] = -1;
                    break;
                case REFLECT:
                    src[o] = i < 0 ? -i : 2 * (n - 1) - i;
                    break;
                case REPLICATE:
                    src[o] = i < 0 ? 0 : n - 1;
                    break;
                case CIRCULAR:
                    src[o] = Math.floorMod(i, n);
                    break;
                default:
                    throw new AssertionError(mode);
            }
        }
        return src;
    }
}
