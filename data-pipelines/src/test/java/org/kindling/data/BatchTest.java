package org.kindling.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
        List<ImageRecord> recs = List.of(record(1, 0), record(2, 77), record(0, 200));
        float[] got =
                Batch.of(recs, Cifar10.IMAGE_SHAPE, norm, 10, false).features().data().asFloat();
        int size = Cifar10.IMAGE_BYTES;
        for (int i = 0; i < recs.size(); i++) {
            byte[] px = recs.get(i).pixels();
            for (int j = 0; j < size; j++) {
                float want = norm.apply(px[j] & 0xFF, j / 1024);
                assertEquals(
                        Float.floatToIntBits(want),
                        Float.floatToIntBits(got[i * size + j]),
                        "image " + i + " value " + j);
            }
        }
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
