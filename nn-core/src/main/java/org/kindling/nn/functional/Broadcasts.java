package org.kindling.nn.functional;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;

/** Per-channel arithmetic on [N, C, H, W] tensors with a [C] vector (along dimension 1). */
public final class Broadcasts {
    private Broadcasts() {}

    /** {@code x - v[c]}. */
    public static INDArray sub(INDArray x, INDArray v) {
        return Broadcast.sub(x, v, x.ulike(), 1);
    }

    /** {@code x * v[c]}. */
    public static INDArray mul(INDArray x, INDArray v) {
        return Broadcast.mul(x, v, x.ulike(), 1);
    }

    /** {@code x + v[c]}. */
    public static INDArray add(INDArray x, INDArray v) {
        return Broadcast.add(x, v, x.ulike(), 1);
    }

    /** Sum over every dimension but 1: a [C] vector. */
    public static INDArray sumPerChannel(INDArray x) {
        int[] dims = new int[x.rank() - 1];
        for (int i = 0, k = 0; i < x.rank(); i++) if (i != 1) dims[k++] = i;
        return x.sum(dims);
    }
}
