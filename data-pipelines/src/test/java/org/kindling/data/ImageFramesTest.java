package org.kindling.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import com.holdenkarau.spark.testing.JavaRDDComparisons;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.folder.ImageFolder;

/**
 * Records to DataFrame and back, and the Parquet cache, compared whole with spark-testing-base's
 * RDD and DataFrame assertions.
 */
class ImageFramesTest {
    static final long[] SHAPE = {3, 4, 5};
    static final List<String> CLASSES = List.of("a", "b", "c", "d");

    /**
     * Only the DataFrame assertions of spark-testing-base's JUnit 4 base are used; its lifecycle
     * (which starts and stops its own SparkContext) is not, so the shared {@link LocalSpark} stays.
     */
    static final JavaDataFrameSuiteBase FRAMES = new JavaDataFrameSuiteBase();

    final JavaSparkContext sc = LocalSpark.context();
    final SparkSession spark = ImageFolder.session(sc);

    static List<ImageRecord> records(int n, long seed) {
        Random rnd = new Random(seed);
        List<ImageRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[(int) (SHAPE[0] * SHAPE[1] * SHAPE[2])];
            rnd.nextBytes(px);
            out.add(new ImageRecord(i % CLASSES.size(), px));
        }
        return out;
    }

    Dataset<Row> frame(List<ImageRecord> recs) {
        return ImageFrames.fromRecords(spark, sc.parallelize(recs, 3), SHAPE, CLASSES);
    }

    static List<String> columns(Dataset<Row> df) {
        return Arrays.stream(df.schema().fields())
                .map(f -> f.name() + ": " + f.dataType().simpleString())
                .toList();
    }

    @Test
    void recordsComeBackFromTheirDataFrameInOrder() {
        JavaRDD<ImageRecord> recs = sc.parallelize(records(200, 1), 3);
        Dataset<Row> df = ImageFrames.fromRecords(spark, recs, SHAPE, CLASSES);
        JavaRDDComparisons.assertRDDEqualsWithOrder(recs, ImageFrames.toRecords(df, SHAPE));
    }

    @Test
    void theParquetCacheGivesBackEveryRow(@TempDir Path tmp) {
        Dataset<Row> df = frame(records(200, 2));
        String path = tmp.resolve("cache.parquet").toString();
        ImageFrames.writeParquet(df, path);
        Dataset<Row> back = ImageFrames.readParquet(spark, path);
        // Spark reads every Parquet column as nullable; names, types and rows come back unchanged.
        assertEquals(columns(df), columns(back));
        FRAMES.assertDataFrameDataEquals(df, back);
    }

    @Test
    void oneChangedPixelIsCaughtByBothComparisons() {
        List<ImageRecord> a = records(50, 3);
        List<ImageRecord> b = new ArrayList<>(a);
        byte[] px = a.get(17).pixels().clone();
        px[5]++;
        b.set(17, new ImageRecord(a.get(17).label(), px));
        assertThrows(
                AssertionError.class,
                () ->
                        JavaRDDComparisons.assertRDDEquals(
                                sc.parallelize(a, 2), sc.parallelize(b, 2)));
        assertThrows(
                AssertionError.class,
                () -> FRAMES.assertDataFrameNoOrderEquals(frame(a), frame(b)));
    }
}
