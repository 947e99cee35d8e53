package org.kindling.spark.averaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.training.ModelDefinition;
import org.kindling.nn.training.ModelState;
import org.kindling.nn.training.TrainingPosition;
import org.kindling.spark.TrainingConfig;
import scala.Tuple2;

/**
 * The driver side of synchronous parameter averaging. Each round the driver broadcasts parameters,
 * optimizer state and buffers; every partition restores them, trains its next k mini-batches and
 * sends its model back as float32 shards ({@link RoundPiece}); each shard is averaged over the
 * workers that trained in one reduce task, in partition order ({@link ShardedAverage}); the driver
 * gathers the averaged shards and goes on. After each epoch the test set is evaluated. The model
 * travels as a {@link ModelState}: its definition is broadcast once per run, its arrays once per
 * round, and the run starts at the state's position (a fresh model at epoch 1, round 0).
 */
public final class ParameterAveraging {
    private final JavaSparkContext sc;
    private final TrainingConfig cfg;
    private final TrainingListener listener;

    /** Metrics of a finished run. */
    public record Result(
            ModelState model, List<Double> epochLoss, List<Double> testAccuracy, double seconds) {
        /** The last epoch's test accuracy (NaN without test data). */
        public double finalAccuracy() {
            return testAccuracy.isEmpty() ? Double.NaN : testAccuracy.get(testAccuracy.size() - 1);
        }
    }

    /**
     * @param cfg the run's configuration with workers and threads resolved ({@link
     *     TrainingConfig#withResources})
     */
    public ParameterAveraging(JavaSparkContext sc, TrainingConfig cfg, TrainingListener listener) {
        if (cfg.workers() == null || cfg.threadsPerWorker() == null) {
            throw new IllegalArgumentException(
                    "resolve workers and threads first (TrainingConfig.withResources)");
        }
        this.sc = sc;
        this.cfg = cfg;
        this.listener = listener;
    }

    /** Trains {@code start} from its position to the end of the configured epochs. */
    public Result fit(ImageDataset data, ModelState start) {
        Nd4jRuntime.init(cfg.threadsPerWorker());
        ModelDefinition def = start.definition();
        if (!java.util.Arrays.equals(def.inputShape(), data.imageShape())) {
            throw new IllegalArgumentException(
                    "model '"
                            + def.name()
                            + "' expects images of shape "
                            + java.util.Arrays.toString(def.inputShape())
                            + " but the data ("
                            + data.source()
                            + ") has "
                            + java.util.Arrays.toString(data.imageShape()));
        }
        if (data.numClasses() != def.numClasses()) {
            throw new IllegalArgumentException(
                    "model '"
                            + def.name()
                            + "' has "
                            + def.numClasses()
                            + " outputs but the data ("
                            + data.source()
                            + ") has "
                            + data.numClasses()
                            + " classes");
        }
        long start0 = System.nanoTime();
        JavaRDD<ImageRecord> train = data.train();
        List<Integer> sizes = partitionSizes(train);
        int rounds = roundsFor(sizes, data);
        Map<String, Object> settings = new LinkedHashMap<>(cfg.asMap());
        settings.put("model", def.toString());
        settings.put("data", data.source());
        settings.put("partitions", sizes.size() + " of sizes " + sizes);
        settings.put("rounds_per_epoch", rounds);
        settings.put("parameters", start.parameters().length);
        settings.put("normalization", data.normalization());
        settings.put(
                "augmentation", data.trainTransform() == null ? "none" : data.trainTransform());
        settings.put("start", start.position());
        settings.put("nd4j", Nd4jRuntime.describe());
        listener.onStart(settings);

        Workers.Job job =
                new Workers.Job(
                        UUID.randomUUID().toString(),
                        def,
                        cfg.seed(),
                        cfg.batchSize(),
                        cfg.averagingFrequency(),
                        cfg.threadsPerWorker(),
                        data.imageShape(),
                        data.normalization(),
                        data.trainTransform(),
                        data.decoder(),
                        cfg.averageOptimizerState());
        Broadcast<Workers.Job> jobBc = sc.broadcast(job);
        ModelState state = start;
        List<Double> epochLoss = new ArrayList<>();
        List<Double> accuracy = new ArrayList<>();
        int roundsLeft = cfg.rounds() == null ? Integer.MAX_VALUE : cfg.rounds();
        try {
            for (int epoch = start.position().epoch();
                    epoch <= cfg.epochs() && roundsLeft > 0;
                    epoch++) {
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
                int firstRound = epoch == start.position().epoch() ? start.position().round() : 0;
                for (int round = firstRound; round < rounds && roundsLeft > 0; round++) {
                    long t0 = System.nanoTime();
                    Broadcast<float[][]> bc =
                            sc.broadcast(
                                    new float[][] {
                                        state.parameters(), state.optimizerState(), state.buffers()
                                    });
                    final int e = epoch;
                    final int r = round;
                    float[][] averaged = {
                        new float[state.parameters().length],
                        new float[cfg.averageOptimizerState() ? state.optimizerState().length : 0],
                        new float[state.buffers().length]
                    };
                    final int shards =
                            ShardedAverage.shards(
                                    (long) averaged[0].length
                                            + averaged[1].length
                                            + averaged[2].length,
                                    cfg.workers());
                    RoundPiece res;
                    try {
                        java.util.Iterator<Tuple2<Integer, RoundPiece>> pieces;
                        JavaPairRDD<Integer, RoundPiece> averagedShards =
                                epochTrain
                                        .mapPartitionsWithIndex(
                                                (pi, it) ->
                                                        Workers.trainRound(
                                                                pi,
                                                                it,
                                                                jobBc.value(),
                                                                bc.value(),
                                                                e,
                                                                r,
                                                                shards),
                                                true)
                                        .mapToPair(p -> new Tuple2<>(p.shard(), p))
                                        .groupByKey(shards + 1)
                                        .mapValues(ShardedAverage::combine);
                        // a large model's shards reach the driver one at a time
                        pieces =
                                shards > 2
                                        ? averagedShards.toLocalIterator()
                                        : averagedShards.collect().iterator();
                        res = assemble(pieces, shards, averaged);
                    } catch (Exception ex) { // Scala does not declare SparkException
                        if (ex instanceof org.apache.spark.SparkException) {
                            throw new RoundFailedException(epoch, round, rootCause(ex), ex);
                        }
                        throw ex;
                    } finally {
                        bc.destroy();
                    }
                    if (res.badPartition() >= 0 || !Double.isFinite(res.lossSum)) {
                        throw new DivergedException(
                                epoch, round, res.badPartition(), res.meanLoss());
                    }
                    roundsLeft--;
                    TrainingPosition next = new TrainingPosition(epoch, round + 1, cfg.seed());
                    if (res.workers() == 0) {
                        state = state.withPosition(next);
                        continue;
                    }
                    state =
                            state.with(
                                    averaged[0],
                                    cfg.averageOptimizerState()
                                            ? averaged[1]
                                            : state.optimizerState(),
                                    averaged[2],
                                    next);
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
                    if (round + 1 < rounds) {
                        listener.onState(state, false);
                    }
                }
                epochLoss.add(lossSum / Math.max(1, batchCount));
                boolean epochDone = state.position().round() >= rounds;
                // a run stopped mid-epoch by --rounds (a smoke test) is not evaluated
                double acc =
                        data.test() == null || !epochDone
                                ? Double.NaN
                                : evaluate(data, state, jobBc);
                accuracy.add(acc);
                if (epochDone) {
                    state = state.withPosition(new TrainingPosition(epoch + 1, 0, cfg.seed()));
                }
                listener.onEpoch(
                        epoch,
                        cfg.epochs(),
                        lossSum / Math.max(1, batchCount),
                        acc,
                        (System.nanoTime() - epochStart) / 1e9);
                if (epochDone) { // a run stopped mid-epoch had its last round's state already
                    listener.onState(state, true);
                }
            }
        } finally {
            jobBc.destroy();
            if (train != data.train()) {
                train.unpersist(false); // the last epoch's reshuffled copy
            }
            // in local mode the executors are this JVM: free the run's learners (a large model's
            // native memory) now rather than when a later run evicts them
            Workers.release(job.runId());
        }
        return new Result(state, epochLoss, accuracy, (System.nanoTime() - start0) / 1e9);
    }

    /**
     * Fills {@code into} ([parameters, optimizer state, buffers]) from the averaged shards and
     * returns the round's statistics.
     */
    static RoundPiece assemble(
            java.util.Iterator<Tuple2<Integer, RoundPiece>> pieces, int shards, float[][] into) {
        long total = (long) into[0].length + into[1].length + into[2].length;
        RoundPiece stats = null;
        while (pieces.hasNext()) {
            RoundPiece p = pieces.next()._2();
            if (p.shard == RoundPiece.STATS) {
                stats = p;
                continue;
            }
            long from = ShardedAverage.offset(total, shards, p.shard);
            for (int i = 0; i < p.values.length; i++) {
                long at = from + i;
                if (at < into[0].length) {
                    into[0][(int) at] = p.values[i];
                } else if (at < into[0].length + into[1].length) {
                    into[1][(int) (at - into[0].length)] = p.values[i];
                } else {
                    into[2][(int) (at - into[0].length - into[1].length)] = p.values[i];
                }
            }
        }
        return stats == null ? new RoundPiece(RoundPiece.STATS, -1, null, 0, 0, 0, 0, -1) : stats;
    }

    /** The innermost cause's message (a task's own exception, not Spark's wrapping). */
    static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        if (c == t && m != null) {
            // Spark's "Job aborted due to stage failure: ... : java.lang.X: message" carries the
            // task's exception only as text
            int i = m.indexOf("Exception: ");
            if (i >= 0) {
                m = m.substring(i + "Exception: ".length());
                int nl = m.indexOf('\n');
                m = nl >= 0 ? m.substring(0, nl) : m;
            }
        }
        return m == null ? c.getClass().getName() : m;
    }

    /** A round's tasks failed beyond Spark's retries. */
    public static final class RoundFailedException extends IllegalStateException {
        RoundFailedException(int epoch, int round, String cause, Throwable t) {
            super("round " + (round + 1) + " of epoch " + epoch + " failed: " + cause, t);
        }
    }

    /** A round produced a non-finite loss or parameters. */
    public static final class DivergedException extends IllegalStateException {
        DivergedException(int epoch, int round, int partition, double loss) {
            super(
                    "training diverged in round "
                            + (round + 1)
                            + " of epoch "
                            + epoch
                            + ": "
                            + (partition >= 0
                                    ? "partition " + partition + " produced"
                                    : "the workers produced")
                            + " a non-finite loss or parameters (mean loss "
                            + loss
                            + "); lower --lr");
        }
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

    /** Test accuracy of {@code state} on the test data. */
    public double evaluate(ImageDataset data, ModelState state) {
        Workers.Job job =
                new Workers.Job(
                        UUID.randomUUID().toString(),
                        state.definition(),
                        cfg.seed(),
                        cfg.batchSize(),
                        cfg.averagingFrequency(),
                        cfg.threadsPerWorker(),
                        data.imageShape(),
                        data.normalization(),
                        null,
                        data.decoder(),
                        true);
        Broadcast<Workers.Job> jobBc = sc.broadcast(job);
        try {
            return evaluate(data, state, jobBc);
        } finally {
            jobBc.destroy();
            Workers.release(job.runId());
        }
    }

    private double evaluate(ImageDataset data, ModelState state, Broadcast<Workers.Job> jobBc) {
        Broadcast<float[][]> bc =
                sc.broadcast(new float[][] {state.parameters(), null, state.buffers()});
        long[] counts;
        try {
            counts =
                    data.test()
                            .mapPartitions(it -> Workers.evaluate(it, jobBc.value(), bc.value()))
                            .reduce((a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        } finally {
            bc.destroy();
        }
        return counts[1] == 0 ? Double.NaN : (double) counts[0] / counts[1];
    }
}
