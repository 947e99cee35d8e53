package org.kindling.data.batch;

import java.nio.FloatBuffer;
import java.util.List;
import org.kindling.data.ImageRecord;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A mini-batch as ND4J arrays: features float32 [N, C, H, W] (normalised), labels either class
 * indices int64 [N] or one-hot float32 [N, numClasses]. Built inside a task from on-heap records.
 *
 * <p>A batch's arrays live outside the Java heap. Close it once its step or prediction is done. On
 * ND4J 1.0.0-M2.1's CPU backend that marks the arrays closed but does not free their memory, which
 * waits for a garbage collection to find them (docs/PERFORMANCE.md, profile 29), and a new batch
 * touches fresh pages: a loop that builds one batch per step uses a {@link BatchBuffer}.
 *
 * @param features [N, C, H, W] float32
 * @param labels [N] int64 indices, or [N, numClasses] one-hot float32
 */
public record Batch(INDArray features, INDArray labels) implements AutoCloseable {
    /** Floats normalised per copy into the off-heap features (64 KiB, whatever the batch size). */
    private static final int CHUNK = 16 * 1024;

    /** Number of examples. */
    public long size() {
        return features.size(0);
    }

    /**
     * Builds a batch from records whose pixels are CHW bytes of {@code imageShape}.
     *
     * @param records at least one record
     * @param imageShape [C, H, W]
     * @param norm per-channel normalisation
     * @param numClasses number of classes (for one-hot labels and label checks)
     * @param oneHot one-hot labels instead of indices
     */
    public static Batch of(
            List<ImageRecord> records,
            long[] imageShape,
            Normalization norm,
            int numClasses,
            boolean oneHot) {
        int n = records.size();
        if (n == 0) {
            throw new IllegalArgumentException("a batch needs at least one record");
        }
        INDArray features =
                Nd4j.createUninitialized(
                        DataType.FLOAT,
                        new long[] {n, imageShape[0], imageShape[1], imageShape[2]},
                        'c');
        return fill(records, imageShape, norm, numClasses, oneHot, features);
    }

    /**
     * {@link #of}, writing the features into {@code features} (float32, c order, [N, C, H, W] for N
     * records): for {@link BatchBuffer}.
     */
    static Batch fill(
            List<ImageRecord> records,
            long[] imageShape,
            Normalization norm,
            int numClasses,
            boolean oneHot,
            INDArray features) {
        int n = records.size();
        int c = (int) imageShape[0];
        int plane = (int) (imageShape[1] * imageShape[2]);
        int size = c * plane;
        if (norm.channels() != c) {
            throw new IllegalArgumentException(
                    norm + " has " + norm.channels() + " channels but images have " + c);
        }
        float[] table = norm.table();
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) {
            ImageRecord r = records.get(i);
            if (r.pixels().length != size) {
                throw new IllegalArgumentException(
                        "record "
                                + i
                                + " of the batch has "
                                + r.pixels().length
                                + " pixel bytes, expected "
                                + size);
            }
            if (r.label() >= numClasses) {
                throw new IllegalArgumentException(
                        "record "
                                + i
                                + " of the batch has label "
                                + r.label()
                                + ", expected 0.."
                                + (numClasses - 1));
            }
            idx[i] = r.label();
        }
        // Normalised through the table into a small on-heap chunk, copied in bulk into off-heap
        // memory chunk by chunk (Nd4j.create(float[]) copies element by element, and one float[]
        // of the whole batch is as large as the batch: 38 MiB for 64 images of 224x224, a
        // humongous object for G1 at any region size).
        FloatBuffer out = features.data().asNioFloat();
        float[] chunk = new float[(int) Math.min((long) n * size, CHUNK)];
        int fill = 0;
        for (int i = 0; i < n; i++) {
            byte[] px = records.get(i).pixels();
            for (int ch = 0; ch < c; ch++) {
                int off = ch * plane;
                int t = ch * 256;
                for (int j = 0; j < plane; ) {
                    int m = Math.min(plane - j, chunk.length - fill);
                    for (int q = 0; q < m; q++) {
                        chunk[fill + q] = table[t + (px[off + j + q] & 0xFF)];
                    }
                    fill += m;
                    j += m;
                    if (fill == chunk.length) {
                        out.put(chunk, 0, fill);
                        fill = 0;
                    }
                }
            }
        }
        out.put(chunk, 0, fill);
        INDArray labels;
        if (oneHot) {
            float[] y = new float[n * numClasses];
            for (int i = 0; i < n; i++) y[i * numClasses + (int) idx[i]] = 1f;
            labels = Nd4j.create(y, new long[] {n, numClasses}, 'c');
        } else {
            labels = Nd4j.createFromArray(idx);
        }
        return new Batch(features, labels);
    }

    /**
     * Frees the arrays' off-heap memory now. The batch must not be used afterwards; arrays that a
     * workspace owns or that are views are left alone.
     */
    @Override
    public void close() {
        release(features);
        release(labels);
    }

    private static void release(INDArray a) {
        if (a.closeable()) {
            a.close();
        }
    }
}
