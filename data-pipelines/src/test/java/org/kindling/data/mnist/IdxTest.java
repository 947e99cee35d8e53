package org.kindling.data.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;

class IdxTest {
    @TempDir Path tmp;
    final Configuration conf = new Configuration();

    static byte[] images(int magic, int n, int rows, int cols, int actualImages) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(magic);
        d.writeInt(n);
        d.writeInt(rows);
        d.writeInt(cols);
        for (int i = 0; i < actualImages * rows * cols; i++) d.write(i % 251);
        return b.toByteArray();
    }

    static byte[] labels(int magic, int n, int... values) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(magic);
        d.writeInt(n);
        for (int v : values) d.write(v);
        return b.toByteArray();
    }

    Path write(String name, byte[] data, boolean gzip) throws Exception {
        Path p = tmp.resolve(name);
        try (OutputStream out =
                gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            out.write(data);
        }
        return p;
    }

    @Test
    void readsRawAndGzipFilesAlike() throws Exception {
        for (boolean gz : new boolean[] {false, true}) {
            Path img = write("i" + gz, images(Idx.IMAGES_MAGIC, 3, 2, 2, 3), gz);
            Path lab = write("l" + gz, labels(Idx.LABELS_MAGIC, 3, 7, 0, 9), gz);
            Idx.Data d = Idx.read(img.toString(), lab.toString(), 10, conf);
            assertEquals(3, d.records().size());
            assertEquals(9, d.records().get(2).label());
            assertArrayEquals(new byte[] {8, 9, 10, 11}, d.records().get(2).pixels());
        }
    }

    @Test
    void aWrongMagicNumberIsNamed() throws Exception {
        Path img = write("img", images(0x00000801, 3, 2, 2, 3), false);
        Path lab = write("lab", labels(Idx.LABELS_MAGIC, 3, 1, 2, 3), false);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Idx.read(img.toString(), lab.toString(), 10, conf));
        assertEquals(
                img + ": IDX magic number is 0x00000801, expected 0x00000803 for an image file",
                e.getMessage());
    }

    @Test
    void inconsistentCountsAreReportedWithBothFiles() throws Exception {
        Path img = write("img", images(Idx.IMAGES_MAGIC, 3, 2, 2, 3), false);
        Path lab = write("lab", labels(Idx.LABELS_MAGIC, 2, 1, 2), false);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Idx.read(img.toString(), lab.toString(), 10, conf));
        assertEquals(
                "inconsistent IDX counts: " + img + " has 3 images but " + lab + " has 2 labels",
                e.getMessage());
    }

    @Test
    void aTruncatedImageFileNamesTheImageAndOffset() throws Exception {
        Path img = write("img", images(Idx.IMAGES_MAGIC, 3, 2, 2, 2), false);
        Path lab = write("lab", labels(Idx.LABELS_MAGIC, 3, 1, 2, 3), false);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Idx.read(img.toString(), lab.toString(), 10, conf));
        assertTrue(
                e.getMessage().startsWith(img + ": truncated: image 2 of 3 ends at byte offset 24"),
                e.getMessage());
    }

    @Test
    void aLabelOutOfRangeNamesItsIndexAndOffset() throws Exception {
        Path img = write("img", images(Idx.IMAGES_MAGIC, 3, 2, 2, 3), false);
        Path lab = write("lab", labels(Idx.LABELS_MAGIC, 3, 1, 12, 3), false);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Idx.read(img.toString(), lab.toString(), 10, conf));
        assertEquals(lab + ": label 1 (byte offset 9) is 12, expected 0..9", e.getMessage());
    }

    @Test
    void withTheSkipPolicyALabelOutOfRangeDropsItsImageAndIsCounted() throws Exception {
        Path img = write("img", images(Idx.IMAGES_MAGIC, 3, 2, 2, 3), false);
        Path lab = write("lab", labels(Idx.LABELS_MAGIC, 3, 1, 12, 3), false);
        org.kindling.data.BadInput.Report report =
                new org.kindling.data.BadInput.Report(LocalSpark.context(), "idx");
        Idx.Data d =
                Idx.read(
                        img.toString(),
                        lab.toString(),
                        10,
                        conf,
                        org.kindling.data.BadInput.Policy.SKIP,
                        report);
        assertEquals(2, d.records().size());
        assertEquals(3, d.records().get(1).label());
        assertEquals(Map.of(lab.toString(), 1L), report.perFile());
    }

    @Test
    void anIdxDatasetOtherThanMnistIsNormalisedWithItsOwnStatistics() throws Exception {
        // A Fashion-MNIST-like set: the same file names and layout, other pixels.
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("mnist"));
        int[] trainLabels = new int[20];
        for (int i = 0; i < trainLabels.length; i++) trainLabels[i] = i % 10;
        Files.write(
                home.resolve("mnist/train-images-idx3-ubyte"),
                images(Idx.IMAGES_MAGIC, 20, 28, 28, 20));
        Files.write(
                home.resolve("mnist/train-labels-idx1-ubyte"),
                labels(Idx.LABELS_MAGIC, 20, trainLabels));
        Files.write(
                home.resolve("mnist/t10k-images-idx3-ubyte"),
                images(Idx.IMAGES_MAGIC, 10, 28, 28, 10));
        Files.write(
                home.resolve("mnist/t10k-labels-idx1-ubyte"),
                labels(Idx.LABELS_MAGIC, 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        org.kindling.data.ImageDataset d =
                org.kindling.data.Datasets.load(
                        LocalSpark.context(),
                        org.kindling.data.Datasets.Request.of("mnist", home.toString(), 2));
        org.kindling.data.batch.Normalization own =
                org.kindling.data.ChannelStatistics.of(d.train(), 1);
        assertArrayEquals(own.mean(), d.normalization().mean());
        assertArrayEquals(own.std(), d.normalization().std());
        assertTrue(
                Math.abs(own.mean()[0] - Mnist.TRAIN_MEAN[0]) > 0.1,
                "the fixture's statistics differ from MNIST's: " + own);
    }

    @Test
    void realMnistIsRecognisedAndKeepsItsPublishedStatistics() {
        Path dir = org.kindling.data.SharedData.mnist();
        assertTrue(Mnist.isOfficialMnist(dir.toString(), conf));
        org.kindling.data.batch.Normalization n =
                Mnist.normalization(null, dir.toString(), conf); // null: nothing is computed
        assertArrayEquals(Mnist.TRAIN_MEAN, n.mean());
        assertArrayEquals(Mnist.TRAIN_STD, n.std());
    }

    @Test
    void realMnistHasTheOfficialCountsPerClass() {
        Path dir = org.kindling.data.SharedData.mnist();
        Map<Integer, Long> counts =
                Mnist.read(LocalSpark.context(), dir.toString(), Mnist.Split.TEST, 2)
                        .map(ImageRecord::label)
                        .countByValue();
        long[] official = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};
        for (int c = 0; c < 10; c++) assertEquals(official[c], counts.get(c), "class " + c);
        assertEquals(
                60_000,
                Mnist.read(LocalSpark.context(), dir.toString(), Mnist.Split.TRAIN, 2).count());
    }
}
