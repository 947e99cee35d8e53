package org.kindling.data.folder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.BadInput;
import org.kindling.data.ImageFrames;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;

public class ImageFolderTest {
    @TempDir Path root;
    final SparkSession spark = ImageFolder.session(LocalSpark.context());

    public static void image(Path file, int w, int h, int rgb, String format) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
        Files.createDirectories(file.getParent());
        ImageIO.write(img, format, file.toFile());
    }

    void twoClasses() throws Exception {
        image(root.resolve("cat/a.png"), 4, 3, 0xFF0000, "png");
        image(root.resolve("cat/b.bmp"), 4, 3, 0x00FF00, "bmp");
        image(root.resolve("dog/c.png"), 4, 3, 0x0000FF, "png");
    }

    @Test
    void classesAreSortedSubFoldersAndImagesDecodeToChw() throws Exception {
        twoClasses();
        assertEquals(
                List.of("cat", "dog"),
                ImageFolder.classes(root.toString(), LocalSpark.context().hadoopConfiguration()));
        Dataset<Row> df =
                ImageFolder.read(spark, root.toString(), 0, 0, 3, BadInput.Policy.FAIL, null);
        assertEquals(ImageFrames.SCHEMA, df.schema());
        List<Row> rows = df.orderBy("origin").collectAsList();
        assertEquals(3, rows.size());
        Row red = rows.get(0);
        assertEquals(0, red.getInt(0));
        assertEquals("cat", red.getString(1));
        assertEquals(3, red.getInt(3));
        assertEquals(4, red.getInt(4));
        byte[] px = (byte[]) red.get(2);
        assertEquals((byte) 255, px[0]); // red plane first
        assertEquals(0, px[12]); // green plane
        assertEquals(1, rows.get(2).getInt(0)); // dog
        assertTrue(red.getString(6).endsWith("cat/a.png"));
    }

    @Test
    void imagesAreResizedAndConvertedToGrayscaleWhenAsked() throws Exception {
        twoClasses();
        image(root.resolve("dog/big.png"), 8, 8, 0xFFFFFF, "png");
        Dataset<Row> df =
                ImageFolder.read(spark, root.toString(), 2, 2, 1, BadInput.Policy.FAIL, null);
        List<ImageRecord> recs = ImageFrames.toRecords(df, new long[] {1, 2, 2}).collect();
        assertEquals(4, recs.size());
        assertTrue(
                recs.stream()
                        .anyMatch(
                                r ->
                                        java.util.Arrays.equals(
                                                r.pixels(), new byte[] {-1, -1, -1, -1})));
    }

    @Test
    void mixedSizesWithoutAResizeAreRejected() throws Exception {
        twoClasses();
        image(root.resolve("dog/big.png"), 8, 8, 0xFFFFFF, "png");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ImageFolder.read(
                                        spark,
                                        root.toString(),
                                        0,
                                        0,
                                        3,
                                        BadInput.Policy.FAIL,
                                        null));
        assertTrue(e.getMessage().contains("have different sizes"), e.getMessage());
        assertTrue(
                e.getMessage().endsWith("give a size to resize them to (--image-size)"),
                e.getMessage());
    }

    @Test
    void anEmptyClassFolderIsNamed() throws Exception {
        twoClasses();
        Files.createDirectories(root.resolve("emu"));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ImageFolder.classes(
                                        root.toString(),
                                        LocalSpark.context().hadoopConfiguration()));
        assertTrue(
                e.getMessage()
                        .startsWith("class folder file:" + root.resolve("emu") + " has no images"),
                e.getMessage());
    }

    @Test
    void anUndecodableImageFailsByDefaultAndIsCountedWhenSkipped() throws Exception {
        twoClasses();
        Files.write(root.resolve("dog/broken.jpg"), new byte[] {1, 2, 3, 4, 5});
        SparkException e =
                assertThrows(
                        SparkException.class,
                        () ->
                                ImageFolder.read(
                                                spark,
                                                root.toString(),
                                                0,
                                                0,
                                                3,
                                                BadInput.Policy.FAIL,
                                                null)
                                        .count());
        assertTrue(
                e.getMessage()
                        .contains("dog/broken.jpg cannot be decoded as JPEG, PNG or BMP (5 bytes)"),
                e.getMessage());

        BadInput.Report report = new BadInput.Report(LocalSpark.context(), "folder");
        long n =
                ImageFolder.read(spark, root.toString(), 0, 0, 3, BadInput.Policy.SKIP, report)
                        .count();
        assertEquals(3, n);
        Map<String, Long> skipped = report.perFile();
        assertEquals(1, skipped.size());
        assertTrue(skipped.keySet().iterator().next().endsWith("dog/broken.jpg"));
    }

    @Test
    void anEmptyImageFileFailsByDefaultAndIsCountedWhenSkipped() throws Exception {
        twoClasses();
        Files.write(root.resolve("dog/empty.png"), new byte[0]);
        Files.createDirectories(root.resolve("cat/deeper"));
        Files.write(root.resolve("cat/deeper/also-empty.JPG"), new byte[0]);
        Files.write(root.resolve("cat/notes.txt"), new byte[0]); // not an image: ignored
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ImageFolder.read(
                                                spark,
                                                root.toString(),
                                                0,
                                                0,
                                                3,
                                                BadInput.Policy.FAIL,
                                                null)
                                        .count());
        assertTrue(e.getMessage().startsWith("image "), e.getMessage());
        assertTrue(
                e.getMessage().contains("cat/deeper/also-empty.JPG is empty (0 bytes)"),
                e.getMessage());

        BadInput.Report report = new BadInput.Report(LocalSpark.context(), "empty");
        long n =
                ImageFolder.read(spark, root.toString(), 0, 0, 3, BadInput.Policy.SKIP, report)
                        .count();
        assertEquals(3, n, "the three real images");
        Map<String, Long> skipped = report.perFile();
        assertEquals(2, skipped.size(), skipped.toString());
        assertTrue(
                skipped.keySet().stream().anyMatch(k -> k.endsWith("dog/empty.png")),
                skipped.toString());
        assertTrue(
                skipped.keySet().stream().anyMatch(k -> k.endsWith("cat/deeper/also-empty.JPG")),
                skipped.toString());
    }

    @Test
    void parquetRoundTripKeepsEveryImage() throws Exception {
        twoClasses();
        Dataset<Row> df =
                ImageFolder.read(spark, root.toString(), 0, 0, 3, BadInput.Policy.FAIL, null);
        String out = root.resolve("cache.parquet").toString();
        ImageFrames.writeParquet(df, out);
        Dataset<Row> back = ImageFrames.readParquet(spark, out);
        List<ImageRecord> a =
                ImageFrames.toRecords(df.orderBy("origin"), new long[] {3, 3, 4}).collect();
        List<ImageRecord> b =
                ImageFrames.toRecords(back.orderBy("origin"), new long[] {3, 3, 4}).collect();
        assertEquals(a, b);
        assertArrayEquals(df.columns(), back.columns());
    }

    @Test
    void recordsBecomeADataFrameWithClassNames() {
        List<ImageRecord> recs =
                List.of(
                        new ImageRecord(1, new byte[] {1, 2, 3, 4}),
                        new ImageRecord(0, new byte[] {5, 6, 7, 8}));
        Dataset<Row> df =
                ImageFrames.fromRecords(
                        spark,
                        LocalSpark.context().parallelize(recs),
                        new long[] {1, 2, 2},
                        List.of("a", "b"));
        assertEquals("b", df.collectAsList().get(0).getString(1));
        assertEquals(recs, ImageFrames.toRecords(df, new long[] {1, 2, 2}).collect());
    }
}
