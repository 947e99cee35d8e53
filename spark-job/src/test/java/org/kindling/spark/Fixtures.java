package org.kindling.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.batch.Normalization;
import org.kindling.data.cifar.Cifar10;
import org.kindling.nn.training.ModelState;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.TrainingListener;
import org.kindling.spark.io.ModelSource;

/** Small generated CIFAR-shaped data for tests. */
final class Fixtures {
    private Fixtures() {}

    /** {@code n} noisy records whose label (i % 10) is a bright band of rows 3*label..3*label+2. */
    static List<ImageRecord> records(int n, long seed) {
        Random r = new Random(seed);
        List<ImageRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[Cifar10.IMAGE_BYTES];
            int label = i % 10;
            for (int j = 0; j < px.length; j++) {
                int row = (j % 1024) / 32;
                int v = r.nextInt(128) + (row / 3 == label ? 120 : 0);
                px[j] = (byte) v;
            }
            out.add(new ImageRecord(label, px));
        }
        return out;
    }

    /**
     * Trains a fresh model on fixture records (shape [3, 32, 32], 10 classes) without progress
     * output.
     */
    static ParameterAveraging.Result fit(
            JavaSparkContext sc,
            TrainingConfig cfg,
            JavaRDD<ImageRecord> train,
            JavaRDD<ImageRecord> test) {
        return new ParameterAveraging(sc, cfg, new TrainingListener() {})
                .fit(
                        new ImageDataset(train, test, Cifar10.IMAGE_SHAPE, 10, norm(), "fixture"),
                        start(cfg));
    }

    /** The fresh model {@code cfg} names (a zoo name) for CIFAR-shaped data with 10 classes. */
    static ModelState start(TrainingConfig cfg) {
        return ModelSource.open(cfg.modelOrDefault(), new Configuration())
                .start(Cifar10.IMAGE_SHAPE, 10, cfg.optimizer(), cfg.freeze(), cfg.seed());
    }

    /** The largest absolute element-wise difference. */
    static double maxChange(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    static Normalization norm() {
        return new Normalization(Cifar10.TRAIN_MEAN, Cifar10.TRAIN_STD);
    }
}
