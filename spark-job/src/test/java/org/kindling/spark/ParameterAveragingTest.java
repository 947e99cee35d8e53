package org.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;
import org.kindling.data.batch.Batch;
import org.kindling.data.cifar.Cifar10;
import org.kindling.nn.Module;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.training.KindlingBackend;
import org.kindling.nn.training.ModelState;
import org.kindling.nn.training.Trainer;
import org.kindling.spark.averaging.EpochPlan;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The averaging algorithm against single-machine training, not just the plumbing. */
class ParameterAveragingTest {
    JavaSparkContext sc = LocalSpark.context();

    static TrainingConfig config(
            int batch, int k, int workers, double lr, double momentum, int epochs) {
        return config("sgd", batch, k, workers, lr, momentum, epochs, List.of());
    }

    static TrainingConfig config(
            String opt,
            int batch,
            int k,
            int workers,
            double lr,
            double momentum,
            int epochs,
            List<String> freeze) {
        return TrainingConfig.builder()
                .model("cifarnet")
                .epochs(epochs)
                .batchSize(batch)
                .averagingFrequency(k)
                .workers(workers)
                .optimizer(opt)
                .lr(lr)
                .momentum(momentum)
                .seed(11L)
                .threadsPerWorker(1)
                .freeze(freeze)
                .build();
    }

    static Batch batch(List<ImageRecord> recs, int[] idx) {
        List<ImageRecord> sel = new ArrayList<>();
        for (int i : idx) sel.add(recs.get(i));
        return Batch.of(sel, Cifar10.IMAGE_SHAPE, Fixtures.norm(), 10, false);
    }

    static Trainer freshTrainer(TrainingConfig cfg) {
        Nd4jRuntime.init(cfg.threadsPerWorker());
        return (Trainer) Fixtures.start(cfg).learner();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource({
        "sgd, 0.01, 0.9", // at lr 0.05 this run diverges to NaN (and NaN == NaN bitwise)
        "adam, 0.001, 0",
        "rmsprop, 0.001, 0.5",
        "adagrad, 0.01, 0"
    })
    void oneWorkerOnSparkGivesTheSameParametersAsOneMachine(
            String opt, double lr, double momentum) {
        TrainingConfig cfg = config(opt, 16, 3, 1, lr, momentum, 2, List.of());
        List<ImageRecord> recs = Fixtures.records(120, 3);
        JavaRDD<ImageRecord> rdd = sc.parallelize(recs, 1);
        ParameterAveraging.Result spark = Fixtures.fit(sc, cfg, rdd, null);

        Trainer local = freshTrainer(cfg);
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            for (int[] idx :
                    EpochPlan.batches(recs.size(), cfg.batchSize(), cfg.seed(), epoch, 0)) {
                Batch b = batch(recs, idx);
                local.step(b.features(), b.labels());
            }
        }
        for (float v : spark.model().parameters()) {
            assertTrue(Float.isFinite(v), "the run stayed finite");
        }
        assertArrayEquals(local.parameters(), spark.model().parameters());
        assertArrayEquals(local.optimizerState(), spark.model().optimizerState());
        assertEquals(2, spark.epochLoss().size());
    }

    @Test
    void averagingEveryStepWithSgdEqualsSynchronousSgdOnTheGlobalBatch() {
        int workers = 2;
        TrainingConfig cfg = config(8, 1, workers, 0.1, 0, 1);
        List<ImageRecord> recs = Fixtures.records(64, 5);
        JavaRDD<ImageRecord> rdd = sc.parallelize(recs, workers);
        List<List<ImageRecord>> shards = rdd.glom().collect();
        assertEquals(32, shards.get(0).size());
        assertEquals(32, shards.get(1).size());
        ParameterAveraging.Result spark = Fixtures.fit(sc, cfg, rdd, null);

        Trainer sync = freshTrainer(cfg);
        List<List<int[]>> plans = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            plans.add(EpochPlan.batches(32, cfg.batchSize(), cfg.seed(), 1, w));
        }
        for (int step = 0; step < plans.get(0).size(); step++) {
            Batch a = batch(shards.get(0), plans.get(0).get(step));
            Batch b = batch(shards.get(1), plans.get(1).get(step));
            sync.step(
                    Nd4j.concat(0, a.features(), b.features()),
                    Nd4j.concat(0, a.labels(), b.labels()));
        }
        float[] expected = sync.parameters();
        float[] actual = spark.model().parameters();
        double maxDiff = 0;
        double maxAbs = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
        }
        assertTrue(
                maxDiff < 1e-5 * maxAbs, "max difference " + maxDiff + " (max |p| " + maxAbs + ")");
        // and training did move the parameters
        Trainer init = freshTrainer(cfg);
        assertTrue(maxChange(init.parameters(), actual) > 1e-3);
    }

    @Test
    void trainingOnLearnableDataBeatsChance() {
        TrainingConfig cfg = config(16, 2, 2, 0.01, 0.9, 3);
        JavaRDD<ImageRecord> train = sc.parallelize(Fixtures.records(240, 7), 2);
        JavaRDD<ImageRecord> test = sc.parallelize(Fixtures.records(90, 8), 2);
        ParameterAveraging.Result r = Fixtures.fit(sc, cfg, train, test);
        // the label is visible as a bright band, so a trained net is far above 10% chance
        assertTrue(
                r.finalAccuracy() > 0.5,
                "accuracy " + r.finalAccuracy() + ", epoch losses " + r.epochLoss());
    }

    @Test
    void frozenLayersAreNotChangedBySparkTraining() {
        TrainingConfig cfg = config("sgd", 8, 2, 2, 0.05, 0.9, 1, List.of("0.", "2."));
        JavaRDD<ImageRecord> rdd = sc.parallelize(Fixtures.records(64, 4), 2);
        ModelState start = Fixtures.start(cfg);
        Module startModule = KindlingBackend.module(start);
        INDArray before = startModule.namedParameters().get("2.weight").data().dup();
        INDArray headBefore = startModule.namedParameters().get("8.weight").data().dup();
        ParameterAveraging.Result r =
                new ParameterAveraging(sc, cfg, new TrainingListener() {})
                        .fit(
                                new ImageDataset(
                                        rdd,
                                        null,
                                        Cifar10.IMAGE_SHAPE,
                                        10,
                                        Fixtures.norm(),
                                        "fixture"),
                                start);
        Module trained = KindlingBackend.module(r.model());
        assertEquals(before, trained.namedParameters().get("2.weight").data());
        assertTrue(
                maxChange(
                                headBefore.ravel().toFloatVector(),
                                trained.namedParameters()
                                        .get("8.weight")
                                        .data()
                                        .ravel()
                                        .toFloatVector())
                        > 1e-4);
    }

    @Test
    void reshufflingMovesRecordsBetweenWorkersReproducibly() {
        JavaRDD<ImageRecord> rdd = sc.parallelize(Fixtures.records(60, 2), 2);
        List<List<ImageRecord>> a =
                org.kindling.spark.averaging.ReshuffleProbe.shards(rdd, 7, 2, 2);
        List<List<ImageRecord>> b =
                org.kindling.spark.averaging.ReshuffleProbe.shards(rdd, 7, 2, 2);
        List<List<ImageRecord>> c =
                org.kindling.spark.averaging.ReshuffleProbe.shards(rdd, 7, 3, 2);
        assertEquals(a, b, "same seed and epoch, same shards");
        assertEquals(60, a.get(0).size() + a.get(1).size());
        assertTrue(!a.equals(c), "another epoch, other shards");
        assertTrue(
                !a.get(0).equals(rdd.glom().collect().get(0)), "records moved between partitions");

        // Training: epoch 2 must run on the reshuffled shards. The expected runs are parameter
        // averaging computed on one machine, from the shards the epoch should (or should not) use.
        TrainingConfig cfg = config(8, 2, 2, 0.05, 0, 2).toBuilder().reshuffle(true).build();
        ParameterAveraging.Result r = Fixtures.fit(sc, cfg, rdd, null);
        assertEquals(2, r.epochLoss().size());
        List<List<ImageRecord>> original = rdd.glom().collect();
        List<List<ImageRecord>> epoch2 =
                org.kindling.spark.averaging.ReshuffleProbe.shards(rdd, cfg.seed(), 2, 2);
        float[] reshuffled = averagedLocally(cfg, List.of(original, epoch2));
        float[] notReshuffled = averagedLocally(cfg, List.of(original, original));
        float[] actual = r.model().parameters();
        double scale = maxAbs(reshuffled);
        double diff = maxDiff(reshuffled, actual);
        double fromStatic = maxDiff(notReshuffled, actual);
        assertTrue(
                diff < 1e-5 * scale,
                "differs from the reshuffled reference by " + diff + " (max |p| " + scale + ")");
        // Unless reshuffling changes the result well beyond that tolerance, the check above
        // could not tell a reshuffled epoch from a static one.
        assertTrue(
                fromStatic > 100 * diff && fromStatic > 1e-4 * scale,
                "without reshuffling the parameters would differ by only "
                        + fromStatic
                        + " (vs "
                        + diff
                        + " from the reshuffled reference)");
    }

    /**
     * Parameter averaging on one machine without Spark: in every epoch each worker trains on its
     * shard in the {@link EpochPlan} order, k batches per round from the averaged state, and the
     * round's result is the mean over the workers that trained.
     */
    static float[] averagedLocally(
            TrainingConfig cfg, List<List<List<ImageRecord>>> shardsByEpoch) {
        Trainer t = freshTrainer(cfg);
        float[][] st = {t.parameters(), t.optimizerState(), t.buffers()};
        int k = cfg.averagingFrequency();
        for (int epoch = 1; epoch <= shardsByEpoch.size(); epoch++) {
            List<List<ImageRecord>> shards = shardsByEpoch.get(epoch - 1);
            List<List<int[]>> plans = new ArrayList<>();
            int maxBatches = 0;
            for (int w = 0; w < shards.size(); w++) {
                plans.add(
                        EpochPlan.batches(
                                shards.get(w).size(), cfg.batchSize(), cfg.seed(), epoch, w));
                maxBatches = Math.max(maxBatches, plans.get(w).size());
            }
            for (int round = 0; round * k < maxBatches; round++) {
                double[][] sum = new double[3][];
                int trained = 0;
                for (int w = 0; w < shards.size(); w++) {
                    int from = round * k;
                    int to = Math.min(plans.get(w).size(), from + k);
                    if (from >= to) continue;
                    t.setParameters(st[0]);
                    t.setOptimizerState(st[1]);
                    t.setBuffers(st[2]);
                    for (int b = from; b < to; b++) {
                        Batch batch = batch(shards.get(w), plans.get(w).get(b));
                        t.step(batch.features(), batch.labels());
                    }
                    float[][] out = {t.parameters(), t.optimizerState(), t.buffers()};
                    for (int i = 0; i < 3; i++) {
                        if (sum[i] == null) sum[i] = new double[out[i].length];
                        for (int j = 0; j < out[i].length; j++) sum[i][j] += out[i][j];
                    }
                    trained++;
                }
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < st[i].length; j++) st[i][j] = (float) (sum[i][j] / trained);
                }
            }
        }
        return st[0];
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    @Test
    void aFreezePrefixThatMatchesNothingIsRejected() {
        IllegalArgumentException e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                freshTrainer(
                                        config("sgd", 8, 1, 1, 0.1, 0, 1, List.of("features."))));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "--freeze features. matches no parameter of cifarnet; parameters: [0.weight"),
                e.getMessage());
    }

    static double maxChange(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
