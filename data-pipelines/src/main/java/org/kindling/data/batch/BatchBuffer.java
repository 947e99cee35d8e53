package org.kindling.data.batch;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kindling.data.ImageRecord;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds mini-batches like {@link Batch#of} into feature arrays it reuses, for a loop that builds
 * one batch per step (a learner's training, an evaluation pass).
 *
 * <p>ND4J 1.0.0-M2.1's {@code close()} does not return an array's memory: it is freed when the
 * garbage collector finds the array. A fresh batch per step therefore touches fresh pages, which
 * the kernel maps and zeroes: 1.9 of the 2.3 ms that {@link Batch#of} took for 64 CIFAR-10 images
 * on this project's machine (docs/PERFORMANCE.md, profile 29). Here the features of each batch size
 * are allocated once.
 *
 * <p>A batch from {@link #fill} is valid until the next {@code fill} of the same size: use it
 * before building the next, and do not close it (its features belong to the buffer). Not thread
 * safe: one buffer per thread that builds batches.
 */
public final class BatchBuffer {
    /** Batch sizes kept: a loop's full batches and its last, smaller one. */
    private static final int SIZES_KEPT = 2;

    private final Map<List<Long>, INDArray> features =
            new LinkedHashMap<>(4, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<List<Long>, INDArray> e) {
                    return size() > SIZES_KEPT;
                }
            };

    /**
     * The batch of {@code records}, as {@link Batch#of} builds it, in this buffer's features for
     * its shape.
     *
     * @param records at least one record
     * @param imageShape [C, H, W]
     * @param norm per-channel normalisation
     * @param numClasses number of classes (for label checks)
     * @param oneHot one-hot labels instead of indices
     */
    public Batch fill(
            List<ImageRecord> records,
            long[] imageShape,
            Normalization norm,
            int numClasses,
            boolean oneHot) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one record");
        }
        long[] shape = {records.size(), imageShape[0], imageShape[1], imageShape[2]};
        List<Long> key = Arrays.stream(shape).boxed().toList();
        INDArray f = features.get(key);
        if (f == null || f.wasClosed()) {
            f = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
            features.put(key, f);
        }
        return Batch.fill(records, imageShape, norm, numClasses, oneHot, f);
    }
}
