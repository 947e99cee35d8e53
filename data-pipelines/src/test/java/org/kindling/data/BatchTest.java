package org.kindling.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kindling.data.batch.Batch;
import org.kindling.data.batch.Normalization;
import org.kindling.data.cifar.Cifar10;

class BatchTest {
    static ImageRecord record(int label, int base) {
        byte[] px = new byte[Cifar10.IMAGE_BYTES];
        for (int i = 0; i < px.length; i++) px[i] = (byte) ((base + i) % 256);
        return new ImageRecord(label, px);
    }

    @Test
    void featuresAreNchwScaledAndNormalisedPerChannel() {
        Normalization norm = new Normalization(Cifar10.TRAIN_MEAN, Cifar10.TRAIN_STD);
        Batch b =
                Batch.of(List.of(record(3, 0), record(7, 5)), Cifar10.IMAGE_SHAPE, norm, 10, false);
        assertArrayEquals(new long[] {2, 3, 32, 32}, b.features().shape());
        // second image, green channel (offset 1024), row 2, column 3: byte (5 + 1024 + 67) % 256
        int p = (5 + 1024 + 2 * 32 + 3) % 256;
        assertEquals((p / 255f - 0.4822f) / 0.2435f, b.features().getFloat(1, 1, 2, 3), 1e-6);
        assertArrayEquals(new long[] {3, 7}, b.labels().toLongVector());
    }

    @Test
    void everyFeatureIsBitIdenticalToNormalizationApply() {
        Normalization norm = new Normalization(Cifar10.TRAIN_MEAN, Cifar10.TRAIN_STD);
        List<ImageRecord> recs = new ArrayList<>();
        for (int i = 0; i < 7; i++) recs.add(record(i % 10, 37 * i)); // 21,504 values
        assertBitIdentical(recs, Cifar10.IMAGE_SHAPE, norm);
        // 693 values per image: the copies of 16,384 values end inside an image's plane
        long[] odd = {3, 7, 11};
        List<ImageRecord> small = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            byte[] px = new byte[3 * 7 * 11];
            for (int j = 0; j < px.length; j++) px[j] = (byte) (j * 31 + i * 7);
            small.add(new ImageRecord(i % 10, px));
        }
        assertBitIdentical(small, odd, norm);
    }

    static void assertBitIdentical(List<ImageRecord> recs, long[] shape, Normalization norm) {
        float[] got;
        try (Batch b = Batch.of(recs, shape, norm, 10, false)) {
            got = b.features().data().asFloat();
        }
        int plane = (int) (shape[1] * shape[2]);
        int size = (int) shape[0] * plane;
        assertEquals(recs.size() * size, got.length);
        for (int i = 0; i < recs.size(); i++) {
            byte[] px = recs.get(i).pixels();
            for (int j = 0; j < size; j++) {
                float want = norm.apply(px[j] & 0xFF, j / plane);
                assertEquals(
                        Float.floatToIntBits(want),
                        Float.floatToIntBits(got[i * size + j]),
                        "image " + i + " value " + j);
            }
        }
    }

    @Test
    void closingABatchClosesItsArrays() {
        Batch b =
                Batch.of(
                        List.of(record(3, 0)),
                        Cifar10.IMAGE_SHAPE,
                        Normalization.none(3),
                        10,
                        false);
        assertFalse(b.features().wasClosed());
        b.close();
        assertTrue(b.features().wasClosed());
        assertTrue(b.labels().wasClosed());
        b.close(); // twice is harmless
    }

    @Test
    void oneHotLabelsHaveOneOnePerRow() {
        Batch b =
                Batch.of(
                        List.of(record(3, 0), record(9, 1)),
                        Cifar10.IMAGE_SHAPE,
                        Normalization.none(3),
                        10,
                        true);
        assertArrayEquals(new long[] {2, 10}, b.labels().shape());
        assertEquals(1f, b.labels().getFloat(0, 3));
        assertEquals(1f, b.labels().getFloat(1, 9));
        assertEquals(2.0, b.labels().sumNumber().doubleValue());
        assertEquals(0f, b.features().getFloat(0, 0, 0, 0));
    }

    @Test
    void aLabelBeyondTheClassCountIsRejected() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                Batch.of(
                                        List.of(record(12, 0)),
                                        Cifar10.IMAGE_SHAPE,
                                        Normalization.none(3),
                                        10,
                                        false));
        assertEquals("record 0 of the batch has label 12, expected 0..9", e.getMessage());
    }
}
