package org.kindling.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kindling.data.batch.Batch;
import org.kindling.data.batch.BatchBuffer;
import org.kindling.data.batch.Normalization;
import org.kindling.data.cifar.Cifar10;

class BatchBufferTest {
    private static final Normalization NORM =
            new Normalization(Cifar10.TRAIN_MEAN, Cifar10.TRAIN_STD);

    private static List<ImageRecord> records(int n, int base) {
        List<ImageRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(BatchTest.record((i + base) % 10, 31 * i + base));
        return out;
    }

    private static void assertSameBatch(Batch want, Batch got) {
        assertArrayEquals(want.features().shape(), got.features().shape());
        float[] w = want.features().data().asFloat();
        float[] g = got.features().data().asFloat();
        assertEquals(w.length, g.length);
        for (int i = 0; i < w.length; i++) {
            assertEquals(Float.floatToIntBits(w[i]), Float.floatToIntBits(g[i]), "value " + i);
        }
        assertArrayEquals(want.labels().toLongVector(), got.labels().toLongVector());
    }

    @Test
    void fillsTheSameBitsAsBatchOfIntoArraysItReuses() {
        BatchBuffer buffer = new BatchBuffer();
        List<ImageRecord> a = records(5, 0);
        List<ImageRecord> b = records(5, 7);
        List<ImageRecord> last = records(2, 3);

        Batch first = buffer.fill(a, Cifar10.IMAGE_SHAPE, NORM, 10, false);
        assertSameBatch(Batch.of(a, Cifar10.IMAGE_SHAPE, NORM, 10, false), first);
        Batch second = buffer.fill(b, Cifar10.IMAGE_SHAPE, NORM, 10, false);
        assertSameBatch(Batch.of(b, Cifar10.IMAGE_SHAPE, NORM, 10, false), second);
        // same size: the same features array, overwritten
        assertSame(first.features(), second.features());
        // a smaller last batch gets its own array, and the full size's is still kept
        Batch small = buffer.fill(last, Cifar10.IMAGE_SHAPE, NORM, 10, false);
        assertSameBatch(Batch.of(last, Cifar10.IMAGE_SHAPE, NORM, 10, false), small);
        assertNotSame(first.features(), small.features());
        assertSame(
                first.features(), buffer.fill(a, Cifar10.IMAGE_SHAPE, NORM, 10, false).features());
    }

    @Test
    void aClosedBatchsArrayIsReplaced() {
        BatchBuffer buffer = new BatchBuffer();
        List<ImageRecord> a = records(3, 1);
        Batch closed = buffer.fill(a, Cifar10.IMAGE_SHAPE, NORM, 10, false);
        closed.close();
        Batch next = buffer.fill(a, Cifar10.IMAGE_SHAPE, NORM, 10, false);
        assertNotSame(closed.features(), next.features());
        assertSameBatch(Batch.of(a, Cifar10.IMAGE_SHAPE, NORM, 10, false), next);
    }

    @Test
    void badRecordsGetBatchOfsErrors() {
        BatchBuffer buffer = new BatchBuffer();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                buffer.fill(
                                        List.of(BatchTest.record(12, 0)),
                                        Cifar10.IMAGE_SHAPE,
                                        NORM,
                                        10,
                                        false));
        assertEquals("record 0 of the batch has label 12, expected 0..9", e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> buffer.fill(List.of(), Cifar10.IMAGE_SHAPE, NORM, 10, false));
    }
}
