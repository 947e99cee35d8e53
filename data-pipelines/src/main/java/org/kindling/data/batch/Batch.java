package org.kindling.data.batch;

import java.util.List;
import org.kindling.data.ImageRecord;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A mini-batch as ND4J arrays: features float32 [N, C, H, W] (normalised), labels either class
 * indices int64 [N] or one-hot float32 [N, numClasses]. Built inside a task from on-heap records.
 *
 * @param features [N, C, H, W] float32
 * @param labels [N] int64 indices, or [N, numClasses] one-hot float32
 */
public record Batch(INDArray features, INDArray labels) {

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
        int c = (int) imageShape[0];
        int plane = (int) (imageShape[1] * imageShape[2]);
        int size = c * plane;
        if (norm.channels() != c) {
            throw new IllegalArgumentException(
                    norm + " has " + norm.channels() + " channels but images have " + c);
        }
        float[] table = norm.table();
        float[] x = new float[n * size];
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) {
            ImageRecord r = records.get(i);
            byte[] px = r.pixels();
            if (px.length != size) {
                throw new IllegalArgumentException(
                        "record "
                                + i
                                + " of the batch has "
                                + px.length
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
            int base = i * size;
            for (int ch = 0; ch < c; ch++) {
                int off = ch * plane;
                int t = ch * 256;
                for (int j = 0; j < plane; j++) {
                    x[base + off + j] = table[t + (px[off + j] & 0xFF)];
                }
            }
            idx[i] = r.label();
        }
        // One bulk copy into off-heap memory (Nd4j.create(float[]) copies element by element).
        INDArray features =
                Nd4j.createUninitialized(
                        DataType.FLOAT, new long[] {n, c, imageShape[1], imageShape[2]}, 'c');
        features.data().asNioFloat().put(x);
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
}
