package org.kindling.spark.averaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.batch.Normalization;
import org.kindling.data.transforms.Transform;
import org.kindling.nn.Init;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.training.Trainer;
import org.kindling.spark.TrainingConfig;

/**
 * The driver side of synchronous parameter averaging. Each round the driver broadcasts parameters
 * and optimizer state; every partition restores them and trains its next k mini-batches; {@code
 * treeAggregate} sums parameters, state, loss and counts; the driver divides by the number of
 * workers that trained and goes on. After each epoch the test set is evaluated.
 */
public final class ParameterAveraging {
    private final JavaSparkContext sc;
    private final TrainingConfig cfg;
    private final TrainingListener listener;

    /** Metrics of a finished run. */
    public record Result(
            Trainer model, List<Double> epochLoss, List<Double> testAccuracy, double seconds) {
        /** The last epoch's test accuracy (NaN without test data). */
        public double finalAccuracy() {
            return testAccuracy.isEmpty() ? Double.NaN : testAccuracy.get(testAccuracy.size() - 1);
        }
    }

    public ParameterAveraging(JavaSparkContext sc, TrainingConfig cfg, TrainingListener listener) {
        this.sc = sc;
        this.cfg = cfg;
        this.listener = listener;
    }

    /** Trains a freshly initialised model (seeded with {@code cfg.seed()}). */
    public Result fit(ImageDataset data) {
        Init.manualSeed(cfg.seed());
        Nd4jRuntime.init(cfg.threadsPerWorker());
        return fit(data, Workers.newTrainer(cfg));
    }

    /** Trains {@code model} (its parameters and optimizer state are the starting point). */
    public Result fit(ImageDataset data, Trainer model) {
        Nd4jRuntime.init(cfg.threadsPerWorker());
        if (!java.util.Arrays.equals(model.inputShape(), data.imageShape())) {
            throw new IllegalArgumentException(
                    "model '"
                            + cfg.model()
                            + "' expects images of shape "
                            + java.util.Arrays.toString(model.inputShape())
                            + " but the data ("
                            + data.source()
                            + ") has "
                            + java.util.Arrays.toString(data.imageShape()));
        }
        if (data.numClasses() != cfg.numClasses()) {
            throw new IllegalArgumentException(
                    "num-classes is "
                            + cfg.numClasses()
                            + " but the data ("
                            + data.source()
                            + ") has "
                            + data.numClasses()
                            + " classes");
        }
        long start = System.nanoTime();
        JavaRDD<ImageRecord> train = data.train();
        List<Integer> sizes = partitionSizes(train);
        int rounds = roundsFor(sizes, data);
        Map<String, Object> settings = new LinkedHashMap<>(cfg.asMap());
        settings.put("data", data.source());
        settings.put("partitions", sizes.size() + " of sizes " + sizes);
        settings.put("rounds_per_epoch", rounds);
        settings.put("parameters", model.numParameters());
        settings.put("normalization", data.normalization());
        settings.put(
                "augmentation", data.trainTransform() == null ? "none" : data.trainTransform());
        settings.put("nd4j", Nd4jRuntime.describe());
        listener.onStart(settings);

        float[] params = model.parameters();
        float[] state = model.optimizerState();
        float[] buffers = model.buffers();
        long[] shape = data.imageShape();
        Normalization norm = data.normalization();
        Transform augment = data.trainTransform();
        List<Double> epochLoss = new ArrayList<>();
        List<Double> accuracy = new ArrayList<>();
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            if (cfg.reshuffle() && epoch > 1) {
                JavaRDD<ImageRecord> next =
                        Reshuffle.of(data.train(), cfg.seed(), epoch, cfg.workers())
                                .persist(org.apache.spark.storage.StorageLevel.MEMORY_ONLY());
                if (train != data.train()) {
                    train.unpersist(false);
                }
                train = next;
                rounds = roundsFor(partitionSizes(train), data);
            }
            final JavaRDD<ImageRecord> epochTrain = train;
            double lossSum = 0;
            long batchCount = 0;
            for (int round = 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                Broadcast<float[][]> bc = sc.broadcast(new float[][] {params, state, buffers});
                final int e = epoch;
                final int r = round;
                final TrainingConfig c = cfg;
                RoundResult res =
                        epochTrain
                                .mapPartitionsWithIndex(
                                        (pi, it) ->
                                                Workers.trainRound(
                                                        pi,
                                                        it,
                                                        c,
                                                        shape,
                                                        norm,
                                                        augment,
                                                        bc.value(),
                                                        e,
                                                        r),
                                        true)
                                .treeAggregate(
                                        RoundResult.zero(), RoundResult::merge, RoundResult::merge);
                bc.destroy();
                if (res.workers() == 0) {
                    continue;
                }
                params = res.averageParams();
                state = res.averageState();
                buffers = res.averageBuffers();
                lossSum += res.lossSum;
                batchCount += res.batches;
                double secs = (System.nanoTime() - t0) / 1e9;
                listener.onRound(
                        epoch,
                        cfg.epochs(),
                        round + 1,
                        rounds,
                        res.meanLoss(),
                        res.examples() / secs);
            }
            epochLoss.add(lossSum / Math.max(1, batchCount));
            double acc = data.test() == null ? Double.NaN : evaluate(data, params, buffers);
            accuracy.add(acc);
            listener.onEpoch(
                    epoch,
                    cfg.epochs(),
                    lossSum / Math.max(1, batchCount),
                    acc,
                    (System.nanoTime() - epochStart) / 1e9);
        }
        model.setParameters(params);
        model.setOptimizerState(state);
        model.setBuffers(buffers);
        return new Result(model, epochLoss, accuracy, (System.nanoTime() - start) / 1e9);
    }

    private static List<Integer> partitionSizes(JavaRDD<ImageRecord> train) {
        return train.mapPartitions(
                        it -> {
                            int n = 0;
                            while (it.hasNext()) {
                                it.next();
                                n++;
                            }
                            return List.of(n).iterator();
                        })
                .collect();
    }

    private int roundsFor(List<Integer> sizes, ImageDataset data) {
        int maxBatches =
                sizes.stream()
                        .mapToInt(n -> (n + cfg.batchSize() - 1) / cfg.batchSize())
                        .max()
                        .orElse(0);
        if (maxBatches == 0) {
            throw new IllegalArgumentException(
                    "the training data is empty (" + data.source() + ")");
        }
        return EpochPlan.rounds(maxBatches, cfg.averagingFrequency());
    }

    /** Test accuracy of {@code params} on the test data. */
    public double evaluate(ImageDataset data, float[] params, float[] buffers) {
        Broadcast<float[][]> bc = sc.broadcast(new float[][] {params, null, buffers});
        long[] shape = data.imageShape();
        Normalization norm = data.normalization();
        TrainingConfig c = cfg;
        long[] counts =
                data.test()
                        .mapPartitions(it -> Workers.evaluate(it, c, shape, norm, bc.value()))
                        .reduce((a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        bc.destroy();
        return counts[1] == 0 ? Double.NaN : (double) counts[0] / counts[1];
    }
}
