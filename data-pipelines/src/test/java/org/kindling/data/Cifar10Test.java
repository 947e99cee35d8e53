package org.kindling.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.cifar.Cifar10;
import org.kindling.data.cifar.CifarBinary;
import org.kindling.data.cifar.CifarFormat;

class Cifar10Test {
    @TempDir Path tmp;

    JavaSparkContext sc = LocalSpark.context();

    @Test
    void readsEveryRecordOfTheOfficialLayoutWithLabelsAndPixels() throws Exception {
        Path dir = CifarFiles.writeDataset(tmp, 7, 5);
        String found = Cifar10.locate(tmp.toString(), sc.hadoopConfiguration(), false);
        assertTrue(found.endsWith("cifar10/" + Cifar10.FOLDER), found);
        List<ImageRecord> train = Cifar10.read(sc, found, Cifar10.Split.TRAIN).collect();
        assertEquals(35, train.size());
        byte[] first = CifarFiles.records(7, 1);
        assertEquals(first[0], train.get(0).label());
        assertArrayEquals(
                Arrays.copyOfRange(first, 1, Cifar10.RECORD_BYTES), train.get(0).pixels());
        assertEquals(5, Cifar10.read(sc, dir.toString(), Cifar10.Split.TEST).count());
    }

    @Test
    void aFileThatIsNotWholeRecordsIsRejectedWithItsSize() throws Exception {
        Path dir = CifarFiles.writeDataset(tmp, 3, 2);
        Files.write(
                dir.resolve("data_batch_3.bin"),
                Arrays.copyOf(CifarFiles.records(3, 5), 3 * 3073 - 10));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Cifar10.read(sc, dir.toString(), Cifar10.Split.TRAIN));
        assertTrue(e.getMessage().contains("data_batch_3.bin has 9209 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("multiple of the 3073-byte record"), e.getMessage());
    }

    @Test
    void aLabelByteOutOfRangeFailsNamingFileRecordOffsetAndValue() throws Exception {
        Path dir = CifarFiles.writeDataset(tmp, 3, 2);
        int badRecord = 3;
        long offset = (long) badRecord * Cifar10.RECORD_BYTES;
        byte[] bad = CifarFiles.records(5, 3);
        bad[(int) offset] = 12;
        Files.write(dir.resolve("test_batch.bin"), bad);
        SparkException e =
                assertThrows(
                        SparkException.class,
                        () -> Cifar10.read(sc, dir.toString(), Cifar10.Split.TEST).count());
        String expected =
                "CIFAR-10 record "
                        + badRecord
                        + " (byte offset "
                        + offset
                        + ") in "
                        + new org.apache.hadoop.fs.Path(dir.toString(), "test_batch.bin")
                        + " has label byte 12, expected 0-9";
        assertTrue(e.getMessage().contains(expected), expected + "\nnot in:\n" + e.getMessage());

        BadInput.Report report = new BadInput.Report(sc, "labels");
        long kept =
                CifarBinary.read(
                                sc,
                                CifarFormat.CIFAR10,
                                dir.toString(),
                                false,
                                BadInput.Policy.SKIP,
                                report)
                        .count();
        assertEquals(bad.length / Cifar10.RECORD_BYTES - 1, kept);
        assertEquals(1, report.details().size(), report.details().toString());
        assertTrue(
                report.details()
                        .get(0)
                        .endsWith(
                                "record "
                                        + badRecord
                                        + " (byte offset "
                                        + offset
                                        + "): label byte 12, expected 0-9"),
                report.details().toString());
    }

    @Test
    void aMissingDatasetListsWhereItLooked() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Cifar10.locate(tmp.toString(), sc.hadoopConfiguration(), false));
        assertTrue(e.getMessage().startsWith("CIFAR-10 not found: none of ["), e.getMessage());
        assertTrue(e.getMessage().contains(tmp + "/cifar10/cifar-10-batches-bin"), e.getMessage());
    }

    @Test
    void aMissingFileOfTheSplitIsNamed() throws Exception {
        Path dir = CifarFiles.writeDataset(tmp, 3, 2);
        Files.delete(dir.resolve("data_batch_4.bin"));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                Cifar10.validate(
                                        dir.toString(),
                                        Cifar10.Split.TRAIN,
                                        sc.hadoopConfiguration()));
        assertTrue(e.getMessage().contains("data_batch_4.bin is missing"), e.getMessage());
    }

    @Test
    void realTestSetHasOneThousandImagesPerClass() {
        Path real = SharedData.cifar10();
        Map<Integer, Long> counts =
                Cifar10.read(sc, real.toString(), Cifar10.Split.TEST)
                        .map(ImageRecord::label)
                        .countByValue();
        for (int c = 0; c < 10; c++) {
            assertEquals(1000L, counts.get(c), "class " + c);
        }
    }

    @Test
    void realTrainingSetHasFiveThousandImagesPerClass() {
        Path real = SharedData.cifar10();
        Map<Integer, Long> counts =
                Cifar10.read(sc, real.toString(), Cifar10.Split.TRAIN)
                        .map(ImageRecord::label)
                        .countByValue();
        for (int c = 0; c < 10; c++) {
            assertEquals(5000L, counts.get(c), "class " + c);
        }
    }

    @Test
    void realFirstTrainingRecordMatchesTheFileBytes() throws Exception {
        Path real = SharedData.cifar10();
        byte[] head =
                Arrays.copyOf(
                        Files.readAllBytes(real.resolve("data_batch_1.bin")), Cifar10.RECORD_BYTES);
        ImageRecord first = Cifar10.read(sc, real.toString(), Cifar10.Split.TRAIN).first();
        assertEquals(head[0], first.label());
        assertArrayEquals(Arrays.copyOfRange(head, 1, Cifar10.RECORD_BYTES), first.pixels());
        assertEquals(6, first.label()); // the first official training image is a frog
    }
}
