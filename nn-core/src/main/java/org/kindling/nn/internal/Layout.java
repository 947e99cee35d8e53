package org.kindling.nn.internal;

import java.util.Arrays;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How an activation lies in memory. Row-major is what native ops read. Channels-last is PyTorch's
 * {@code channels_last} memory format in ND4J terms: an activation whose shape is [N, C, H, W]
 * while its elements lie in memory as [N, H, W, C] (a permuted view of a row-major NHWC array).
 *
 * <p>Convolution and max pooling compute in NHWC, because oneDNN's kernels for them read and write
 * that layout directly, while NCHW arrays are reordered to oneDNN's layouts and back on every call
 * (for the course net's first convolution that reorder costs more than the convolution). Their
 * outputs are channels-last views, so a convolution feeding a pooling layer feeding a convolution
 * never reorders. Element-wise and per-channel operations ({@link #map}, {@link #zip}, {@code
 * Broadcasts}) keep the layout; every other operation sees an ordinary [N, C, H, W] array through
 * ND4J's strides or copies it to row-major.
 *
 * <p>ND4J reports a permuted array as ordering 'c' and not a view, so the layout is recognised from
 * the strides alone: a check of {@code isView()} or {@code ordering()} lets such arrays through.
 */
public final class Layout {
    private Layout() {}

    /** Whether {@code a} is a rank-4 [N, C, H, W] array stored row-major as [N, H, W, C]. */
    public static boolean isChannelsLast(INDArray a) {
        if (a.rank() != 4) {
            return false;
        }
        long c = a.size(1), h = a.size(2), w = a.size(3);
        long[] st = a.stride();
        return st[1] == 1 && st[3] == c && st[2] == w * c && st[0] == h * w * c;
    }

    /** Whether {@code a}'s strides are those of a row-major array of its shape. */
    public static boolean isRowMajor(INDArray a) {
        long expected = 1;
        long[] st = a.stride();
        for (int i = a.rank() - 1; i >= 0; i--) {
            if (a.size(i) != 1 && st[i] != expected) {
                return false;
            }
            expected *= a.size(i);
        }
        return true;
    }

    /** {@code a} itself if it is row-major, else a row-major copy (native ops read raw memory). */
    public static INDArray rowMajor(INDArray a) {
        return isRowMajor(a) ? a : a.dup('c');
    }

    /**
     * The row-major [N, H, W, C] array holding [N, C, H, W] array {@code a}: no copy if {@link
     * #isChannelsLast}.
     */
    public static INDArray nhwc(INDArray a) {
        INDArray p = a.permute(0, 2, 3, 1);
        return isChannelsLast(a) ? p : p.dup('c');
    }

    /**
     * An element-wise {@code op} on {@code x}: on its memory in order if it is channels-last (the
     * result channels-last too), else on {@code x} as it is. ND4J would otherwise iterate a
     * channels-last array through its strides and write a row-major result, several times slower.
     */
    public static INDArray map(INDArray x, UnaryOperator<INDArray> op) {
        return isChannelsLast(x) ? channelsLastView(op.apply(nhwc(x))) : op.apply(x);
    }

    /**
     * An element-wise {@code op} on two arrays of one shape: channels-last if either is (the other
     * copied to it), else on the arrays as they are.
     */
    public static INDArray zip(INDArray a, INDArray b, BinaryOperator<INDArray> op) {
        if (Arrays.equals(a.shape(), b.shape()) && (isChannelsLast(a) || isChannelsLast(b))) {
            return channelsLastView(op.apply(nhwc(a), nhwc(b)));
        }
        return op.apply(a, b);
    }

    /** The [N, C, H, W] channels-last view of row-major [N, H, W, C] array {@code nhwc}. */
    public static INDArray channelsLastView(INDArray nhwc) {
        return nhwc.permute(0, 3, 1, 2);
    }
}
