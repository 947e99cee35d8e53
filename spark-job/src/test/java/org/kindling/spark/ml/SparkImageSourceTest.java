package org.kindling.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.ChannelStatistics;
import org.kindling.data.ImageRecord;
import org.kindling.data.batch.Normalization;

/**
 * Spark's built-in image data source ({@code spark.read.format("image")}) as KindlingClassifier
 * input: its BGR(A) interleaved HWC bytes become Kindling's RGB CHW.
 */
class SparkImageSourceTest {
    @TempDir Path tmp;

    /**
     * Writes {@code n} 32x32 RGB PNGs per class under root/label=K/ and returns their CHW bytes.
     */
    static Map<String, byte[]> writePngs(Path root, int classes, int n, long seed)
            throws Exception {
        Random r = new Random(seed);
        Map<String, byte[]> chw = new HashMap<>();
        for (int k = 0; k < classes; k++) {
            Path dir = Files.createDirectories(root.resolve("label=" + k));
            for (int i = 0; i < n; i++) {
                BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                byte[] px = new byte[3 * 32 * 32];
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        int band = y / 16 == k ? 100 : 0; // the class is a bright half
                        int red = r.nextInt(100) + band;
                        int green = r.nextInt(60);
                        int blue = 200 + r.nextInt(50);
                        img.setRGB(x, y, (red << 16) | (green << 8) | blue);
                        px[y * 32 + x] = (byte) red;
                        px[1024 + y * 32 + x] = (byte) green;
                        px[2048 + y * 32 + x] = (byte) blue;
                    }
                }
                File f = dir.resolve("img" + i + ".png").toFile();
                ImageIO.write(img, "png", f);
                chw.put(f.getCanonicalPath(), px);
            }
        }
        return chw;
    }

    static String path(String origin) throws Exception {
        return new File(new URI(origin)).getCanonicalPath();
    }

    @Test
    void bgrInterleavedPixelsBecomeRgbPlanesAndGrayscaleStaysOneChannel() throws Exception {
        Map<String, byte[]> expected = writePngs(tmp.resolve("rgb"), 2, 3, 1);
        BufferedImage gray = new BufferedImage(8, 4, BufferedImage.TYPE_BYTE_GRAY);
        byte[] grayPx = new byte[32];
        for (int i = 0; i < 32; i++) {
            grayPx[i] = (byte) (i * 7);
            gray.getRaster().setSample(i % 8, i / 8, 0, i * 7);
        }
        Files.createDirectories(tmp.resolve("gray"));
        ImageIO.write(gray, "png", tmp.resolve("gray/g.png").toFile());

        Dataset<Row> df =
                MlFixtures.spark().read().format("image").load(tmp.resolve("rgb").toString());
        ImageColumn col = ImageColumn.of(df.schema(), "image", null);
        List<Row> rows = df.collectAsList();
        assertEquals(6, rows.size());
        for (Row row : rows) {
            ImageColumn.Pixels p = col.read(row);
            assertArrayEquals(new long[] {3, 32, 32}, p.shape());
            assertArrayEquals(expected.get(path(p.origin())), p.chw(), p.origin());
        }

        Dataset<Row> g =
                MlFixtures.spark().read().format("image").load(tmp.resolve("gray").toString());
        ImageColumn.Pixels gp = ImageColumn.of(g.schema(), "image", null).read(g.first());
        assertArrayEquals(new long[] {1, 4, 8}, gp.shape());
        assertArrayEquals(grayPx, gp.chw());
    }

    @Test
    void classifierTrainsOnTheImageSourceWithRgbStatisticsAndScoresIt() throws Exception {
        Map<String, byte[]> expected = writePngs(tmp.resolve("train"), 2, 16, 2);
        Dataset<Row> df =
                MlFixtures.spark().read().format("image").load(tmp.resolve("train").toString());
        assertTrue(List.of(df.columns()).contains("label"), "label=K folders give a label column");

        KindlingClassificationModel model =
                KindlingClassifierTest.classifier().setBatchSize(8).fit(df);

        assertEquals(2, model.numClasses());
        List<ImageRecord> recs =
                expected.values().stream().map(px -> new ImageRecord(0, px)).toList();
        Normalization direct = ChannelStatistics.of(MlFixtures.sc().parallelize(recs, 2), 3);
        // red, green, blue in this order (blue ~ 0.88 would show up first if BGR leaked through)
        assertArrayEquals(direct.mean(), model.normalization().mean(), 1e-5f);
        assertArrayEquals(direct.std(), model.normalization().std(), 1e-5f);

        Dataset<Row> scored = model.transform(df);
        assertEquals(32, scored.count());
        assertTrue(scored.filter("prediction < 0 or prediction > 1").isEmpty());
    }

    @Test
    void imagesOfAnotherShapeAreRejectedNamingTheImage() throws Exception {
        writePngs(tmp.resolve("mixed"), 2, 2, 3);
        BufferedImage small = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(small, "png", tmp.resolve("mixed/label=1/small.png").toFile());
        Dataset<Row> df =
                MlFixtures.spark().read().format("image").load(tmp.resolve("mixed").toString());
        KindlingClassifierTest.assertMessage(
                () -> KindlingClassifierTest.classifier().fit(df), "small.png");
        KindlingClassifierTest.assertMessage(
                () -> KindlingClassifierTest.classifier().fit(df), "[3, 16, 16]");
    }
}
