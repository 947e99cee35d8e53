package org.kindling.nn.functional;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Constant matrices that express padding and average pooling as matrix products on the last two
 * axes of [N, C, H, W], so their forward and backward passes run as native ops: {@code out = A x
 * B^T} (per plane), {@code grad_x = A^T grad_out B}. They depend only on shapes, are built once per
 * shape outside any workspace and are shared read-only.
 *
 * <p>A row of a selection matrix holds ones at the input positions an output position reads. As in
 * any matrix product, a non-finite input (inf, NaN) makes every output of its row or column
 * non-finite, where PyTorch confines it to the windows that contain it.
 */
final class Selections {
    private static final int MAX_CACHED = 512;
    private static final Map<String, INDArray> CACHE = new ConcurrentHashMap<>();

    private Selections() {}

    /**
     * [out, in] with a one at (i, src[i]) for each output index i whose source is >= 0 (copy
     * semantics, e.g. padding; -1 is a zero row).
     */
    static INDArray copies(int[] src, int in, DataType type) {
        return cached(
                "copy" + java.util.Arrays.toString(src) + in + type,
                () -> {
                    float[] m = new float[src.length * in];
                    for (int i = 0; i < src.length; i++) if (src[i] >= 0) m[i * in + src[i]] = 1;
                    return Nd4j.create(m, new long[] {src.length, in}, 'c').castTo(type);
                });
    }

    /** [out, in] with ones at [from[i], to[i]) in row i (window sums, e.g. pooling). */
    static INDArray windows(int[] from, int[] to, int in, DataType type) {
        return cached(
                "win" + java.util.Arrays.toString(from) + java.util.Arrays.toString(to) + in + type,
                () -> {
                    float[] m = new float[from.length * in];
                    for (int i = 0; i < from.length; i++)
                        for (int j = from[i]; j < to[i]; j++) m[i * in + j] = 1;
                    return Nd4j.create(m, new long[] {from.length, in}, 'c').castTo(type);
                });
    }

    /** A constant [n] vector (or any shape) from {@code values}, cached under {@code key}. */
    static INDArray constant(String key, Supplier<INDArray> values) {
        return cached(key, values);
    }

    private static INDArray cached(String key, Supplier<INDArray> make) {
        INDArray a = CACHE.get(key);
        if (a != null) return a;
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            a = make.get();
        }
        if (CACHE.size() >= MAX_CACHED) CACHE.clear();
        CACHE.put(key, a);
        return a;
    }

    /**
     * {@code a x b^T} for every plane of {@code x} [N, C, H, W]: a [Ho, H], b [Wo, W]; result [N,
     * C, Ho, Wo].
     */
    static INDArray sandwich(INDArray x, INDArray a, INDArray b) {
        long n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        long ho = a.size(0), wo = b.size(0);
        long planes = n * c;
        INDArray xc = org.kindling.nn.internal.Layout.rowMajor(x);
        // columns: [P*H, W] x [W, Wo]
        INDArray t = xc.reshape('c', planes * h, w).mmul(b.transpose());
        // rows: [P, Wo, H] -> [P*Wo, H] x [H, Ho]
        INDArray u =
                t.reshape('c', planes, h, wo)
                        .permute(0, 2, 1)
                        .dup('c')
                        .reshape('c', planes * wo, h)
                        .mmul(a.transpose());
        return u.reshape('c', planes, wo, ho).permute(0, 2, 1).dup('c').reshape('c', n, c, ho, wo);
    }
}
