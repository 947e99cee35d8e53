package org.kindling.nn.functional;

import java.util.Arrays;
import org.kindling.nn.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.api.ops.impl.transforms.Pad;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Padding of the last two dimensions of an [N, C, H, W] tensor, in native ops: zeros and reflect
 * with libnd4j's {@code pad}, replicate and circular as a {@code gather} of the source rows and
 * columns. Backward adds the gradient of every padded cell back to the input cell it was copied
 * from, as a product with constant selection matrices ({@link Selections}).
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
        INDArray out;
        if (mode == PaddingMode.ZEROS || mode == PaddingMode.REFLECT) {
            // libnd4j's pad: CONSTANT 0, and REFLECT without repeating the edge (PyTorch's reflect)
            INDArray paddings =
                    Nd4j.createFromArray(
                            new int[][] {{0, 0}, {0, 0}, {top, bottom}, {left, right}});
            out =
                    Nd4j.exec(
                            new Pad(
                                    in,
                                    paddings,
                                    mode == PaddingMode.ZEROS
                                            ? org.nd4j.enums.PadMode.CONSTANT
                                            : org.nd4j.enums.PadMode.REFLECT,
                                    0.0))[0];
        } else {
            out = gather(gather(in, rowSrc, 2), colSrc, 3);
        }
        INDArray rows = Selections.copies(rowSrc, h, in.dataType());
        INDArray cols = Selections.copies(colSrc, w, in.dataType());
        return Tensor.derived(
                out,
                // each input cell receives the gradient of every output cell copied from it
                g -> new INDArray[] {Selections.sandwich(g, rows.transpose(), cols.transpose())},
                x);
    }

    /** {@code in} indexed along {@code axis} by {@code index} (every entry >= 0). */
    private static INDArray gather(INDArray in, int[] index, int axis) {
        INDArray idx =
                Selections.constant(
                        "gather" + Arrays.toString(index), () -> Nd4j.createFromArray(index));
        return Nd4j.exec(new Gather(in, idx, axis))[0];
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
