package org.kindling.nn.functional;

import org.kindling.nn.internal.Layout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;

/**
 * Per-channel arithmetic on [N, C, H, W] tensors with a [C] vector (along dimension 1). A
 * channels-last input ({@link Layout}) is computed in its memory order, along its last dimension,
 * and gives a channels-last result.
 */
public final class Broadcasts {
    private Broadcasts() {}

    /** {@code x - v[c]}. */
    public static INDArray sub(INDArray x, INDArray v) {
        return Layout.isChannelsLast(x)
                ? Layout.channelsLastView(sub(Layout.nhwc(x), v, 3))
                : sub(x, v, 1);
    }

    /** {@code x * v[c]}. */
    public static INDArray mul(INDArray x, INDArray v) {
        return Layout.isChannelsLast(x)
                ? Layout.channelsLastView(mul(Layout.nhwc(x), v, 3))
                : mul(x, v, 1);
    }

    /** {@code x + v[c]}. */
    public static INDArray add(INDArray x, INDArray v) {
        return Layout.isChannelsLast(x)
                ? Layout.channelsLastView(add(Layout.nhwc(x), v, 3))
                : add(x, v, 1);
    }

    /** Sum over every dimension but 1: a [C] vector. */
    public static INDArray sumPerChannel(INDArray x) {
        if (Layout.isChannelsLast(x)) {
            return Layout.nhwc(x).sum(0, 1, 2);
        }
        int[] dims = new int[x.rank() - 1];
        for (int i = 0, k = 0; i < x.rank(); i++) if (i != 1) dims[k++] = i;
        return x.sum(dims);
    }

    private static INDArray sub(INDArray x, INDArray v, int axis) {
        return Broadcast.sub(x, v, x.ulike(), axis);
    }

    private static INDArray mul(INDArray x, INDArray v, int axis) {
        return Broadcast.mul(x, v, x.ulike(), axis);
    }

    private static INDArray add(INDArray x, INDArray v, int axis) {
        return Broadcast.add(x, v, x.ulike(), axis);
    }
}
