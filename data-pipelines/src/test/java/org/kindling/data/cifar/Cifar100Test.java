package org.kindling.data.cifar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.BadInput;
import org.kindling.data.Datasets;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;

class Cifar100Test {
    @TempDir Path home;

    /** Records with coarse label i % 20 and fine label i % 100 (or {@code badFine} at index 1). */
    static byte[] records(int n, int badFine) {
        byte[] b = new byte[n * 3074];
        for (int i = 0; i < n; i++) {
            b[i * 3074] = (byte) (i % 20);
            b[i * 3074 + 1] = (byte) (i == 1 && badFine >= 0 ? badFine : i % 100);
            for (int j = 0; j < 3072; j++) b[i * 3074 + 2 + j] = (byte) (i + j);
        }
        return b;
    }

    Path write(int trainN, int badFine) throws Exception {
        Path dir = home.resolve("cifar100/cifar-100-binary");
        Files.createDirectories(dir);
        Files.write(dir.resolve("train.bin"), records(trainN, badFine));
        Files.write(dir.resolve("test.bin"), records(5, -1));
        return dir;
    }

    @Test
    void fineAndCoarseLabelsComeFromTheirOwnBytes() throws Exception {
        Path dir = write(30, -1);
        String found =
                CifarBinary.locate(
                        CifarFormat.CIFAR100_FINE,
                        home.toString(),
                        LocalSpark.context().hadoopConfiguration(),
                        false);
        List<ImageRecord> fine =
                CifarBinary.read(
                                LocalSpark.context(),
                                CifarFormat.CIFAR100_FINE,
                                found,
                                true,
                                BadInput.Policy.FAIL,
                                null)
                        .collect();
        List<ImageRecord> coarse =
                CifarBinary.read(
                                LocalSpark.context(),
                                CifarFormat.CIFAR100_COARSE,
                                dir.toString(),
                                true,
                                BadInput.Policy.FAIL,
                                null)
                        .collect();
        assertEquals(30, fine.size());
        assertEquals(25, fine.get(25).label());
        assertEquals(5, coarse.get(25).label());
        byte[] raw = records(30, -1);
        assertArrayEquals(Arrays.copyOfRange(raw, 25 * 3074 + 2, 26 * 3074), fine.get(25).pixels());
    }

    @Test
    void aFileOfPartialRecordsNamesTheTwoLabelByteLayout() throws Exception {
        Path dir = write(3, -1);
        Files.write(dir.resolve("train.bin"), Arrays.copyOf(records(3, -1), 3 * 3073));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                CifarBinary.validate(
                                        CifarFormat.CIFAR100_FINE,
                                        dir.toString(),
                                        true,
                                        LocalSpark.context().hadoopConfiguration()));
        assertTrue(
                e.getMessage()
                        .contains(
                                "has 9219 bytes, which is not a positive multiple of the 3074-byte record (2 label bytes + 3072 pixel bytes)"),
                e.getMessage());
    }

    @Test
    void aBadLabelIsSkippedAndCountedWithTheSkipPolicy() throws Exception {
        write(30, 250);
        ImageDataset d =
                Datasets.load(
                        LocalSpark.context(),
                        new Datasets.Request(
                                "cifar100",
                                home.toString(),
                                2,
                                null,
                                0,
                                3,
                                BadInput.Policy.SKIP,
                                null,
                                0.2,
                                1));
        assertEquals(29, d.train().count());
        assertEquals(100, d.numClasses());
        assertTrue(d.source().contains("train.bin=1"), d.source());
    }
}
