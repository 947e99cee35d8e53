package org.kindling.spark.ml;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kindling.data.ImageFrames;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;
import org.kindling.data.folder.ImageFolder;

/** Small generated CIFAR-shaped images for the Spark ML tests, as records and DataFrames. */
final class MlFixtures {
    static final long[] SHAPE = {3, 32, 32};
    static final List<String> CLASSES =
            List.of(
                    "airplane",
                    "automobile",
                    "bird",
                    "cat",
                    "deer",
                    "dog",
                    "frog",
                    "horse",
                    "ship",
                    "truck");

    private MlFixtures() {}

    static JavaSparkContext sc() {
        return LocalSpark.context();
    }

    static SparkSession spark() {
        return ImageFolder.session(sc());
    }

    /** {@code n} noisy records whose label (i % 10) is a bright band of rows 3*label..3*label+2. */
    static List<ImageRecord> records(int n, long seed) {
        Random r = new Random(seed);
        List<ImageRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[3 * 32 * 32];
            int label = i % 10;
            for (int j = 0; j < px.length; j++) {
                int row = (j % 1024) / 32;
                px[j] = (byte) (r.nextInt(128) + (row / 3 == label ? 120 : 0));
            }
            out.add(new ImageRecord(label, px));
        }
        return out;
    }

    /** The records as an ImageFrames DataFrame (label, class_name, image, ...) in 2 partitions. */
    static Dataset<Row> frame(List<ImageRecord> records) {
        return ImageFrames.fromRecords(spark(), sc().parallelize(records, 2), SHAPE, CLASSES);
    }

    /** The three output columns of every row, in row order, as strings (exact values). */
    static List<String> outputs(Dataset<Row> scored) {
        return scored.select("rawPrediction", "probability", "prediction").collectAsList().stream()
                .map(Row::toString)
                .collect(Collectors.toList());
    }
}
