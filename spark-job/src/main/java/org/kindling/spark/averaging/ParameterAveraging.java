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
 * The driver side of synchronous parameter averaging. The driver broadcasts parameters, optimizer
 * state and buffers; every partition restores them and trains its next k mini-batches per round;
 * the workers' models are averaged over the workers that trained, in partition order, in one of two
 * ways ({@link Exchange}): through the shuffle, one Spark job per round (float32 shards, {@link
 * RoundPiece}, each averaged in one reduce task, {@link ShardedAverage}, gathered by the driver),
 * or among the tasks of one barrier stage for a segment of rounds ({@link Workers#trainSegment}).
 * After each epoch the test set is evaluated. The model travels as a {@link ModelState}: its
 * definition is broadcast once per run, its arrays once per Spark job, and the run starts at the
 * state's position (a fresh model at epoch 1, round 0).
 */
public final class ParameterAveraging {
    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(ParameterAveraging.class);
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
        String runId = UUID.randomUUID().toString();
        List<Integer> sizes = partitionSizes(train, runId);
        if (data.test() != null) {
            // read and cache the test set now, like the training set above: its first reading
            // otherwise lands in the first epoch's evaluation (0.35 s more for CIFAR-10)
            data.test().count();
        }
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
        Exchange.Choice exchange =
                Exchange.choose(
                        sc.sc(),
                        cfg.exchange(),
                        train.rdd(),
                        (long) start.parameters().length
                                + (cfg.averageOptimizerState() ? start.optimizerState().length : 0)
                                + start.buffers().length);
        settings.put("exchange", exchange.toString());
        int segmentAttempts = sc.getConf().getInt("spark.stage.maxConsecutiveAttempts", 4);
        listener.onStart(settings);

        Workers.Job job =
                new Workers.Job(
                        runId,
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
                    rounds = roundsFor(partitionSizes(train, runId), data);
                }
                final JavaRDD<ImageRecord> epochTrain = train;
                double lossSum = 0;
                long batchCount = 0;
                int firstRound = epoch == start.position().epoch() ? start.position().round() : 0;
                for (int round = firstRound; round < rounds && roundsLeft > 0; ) {
                    long t0 = System.nanoTime();
                    int end =
                            exchange.exchange() == Exchange.SHUFFLE
                                    ? round + 1
                                    : segmentEnd(round, rounds, roundsLeft);
                    Rounds res = null;
                    for (int attempt = 1; res == null; attempt++) {
                        try {
                            res =
                                    exchange.exchange() == Exchange.SHUFFLE
                                            ? shuffleRound(epochTrain, jobBc, state, epoch, round)
                                            : segment(epochTrain, jobBc, state, epoch, round, end);
                        } catch (Exception ex) { // Scala does not declare SparkException
                            if (!(ex instanceof org.apache.spark.SparkException)) {
                                throw ex;
                            }
                            if (exchange.exchange() == Exchange.TASKS
                                    && lostAnExecutor(ex)
                                    && attempt < segmentAttempts) {
                                // Spark retries a failed barrier stage only when it is not the
                                // job's last: the segment runs again from its start state, which
                                // gives the same bits
                                LOG.warn(
                                        "rounds {}-{} of epoch {} lost an executor; running them"
                                                + " again from their start (attempt {} of {})",
                                        round + 1,
                                        end,
                                        epoch,
                                        attempt + 1,
                                        segmentAttempts);
                                continue;
                            }
                            throw new RoundFailedException(epoch, round, end, rootCause(ex), ex);
                        }
                    }
                    double secs = (System.nanoTime() - t0) / 1e9;
                    long examples = java.util.Arrays.stream(res.examples()).sum();
                    for (int i = 0; i < end - round; i++) {
                        if (res.workers()[i] == 0) {
                            continue;
                        }
                        lossSum += res.lossSum()[i];
                        batchCount += res.batches()[i];
                        listener.onRound(
                                epoch,
                                cfg.epochs(),
                                round + i + 1,
                                rounds,
                                res.lossSum()[i] / Math.max(1, res.batches()[i]),
                                examples / secs);
                    }
                    roundsLeft -= end - round;
                    TrainingPosition next = new TrainingPosition(epoch, end, cfg.seed());
                    state =
                            res.state() == null
                                    ? state.withPosition(next)
                                    : state.with(
                                            res.state()[0],
                                            cfg.averageOptimizerState()
                                                    ? res.state()[1]
                                                    : state.optimizerState(),
                                            res.state()[2],
                                            next);
                    if (end < rounds) {
                        listener.onState(state, false);
                    }
                    round = end;
                }
                epochLoss.add(lossSum / Math.max(1, batchCount));
                boolean epochDone = state.position().round() >= rounds;
                // a run stopped mid-epoch by --rounds (a smoke test) is not evaluated
                double acc =
                        data.test() == null || !epochDone
                                ? Double.NaN
                                : evaluate(data, state, jobBc, epoch);
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
     * What the rounds of one Spark job produced: the averaged [parameters, optimizer state,
     * buffers] (null if no worker trained), and per round the statistics summed over the workers
     * that trained.
     */
    record Rounds(
            float[][] state, double[] lossSum, long[] batches, long[] examples, int[] workers) {}

    /**
     * The end (exclusive) of the segment starting at {@code round}: at most {@link
     * Exchange#SEGMENT_ROUNDS} rounds, and never past the epoch, the rounds left or a checkpoint.
     */
    public int segmentEnd(int round, int rounds, int roundsLeft) {
        int end = Math.min(round + Exchange.SEGMENT_ROUNDS, rounds);
        end = (int) Math.min(end, (long) round + roundsLeft);
        if (cfg.checkpointEvery() != null) {
            int every = cfg.checkpointEvery();
            end = Math.min(end, (round / every + 1) * every);
        }
        return end;
    }

    /** One round through the shuffle ({@link Exchange#SHUFFLE}). */
    private Rounds shuffleRound(
            JavaRDD<ImageRecord> epochTrain,
            Broadcast<Workers.Job> jobBc,
            ModelState state,
            int epoch,
            int round) {
        int dataId = epochTrain.id();
        Broadcast<float[][]> bc =
                sc.broadcast(
                        new float[][] {
                            state.parameters(), state.optimizerState(), state.buffers()
                        });
        float[][] averaged = {
            new float[state.parameters().length],
            new float[cfg.averageOptimizerState() ? state.optimizerState().length : 0],
            new float[state.buffers().length]
        };
        final int shards =
                ShardedAverage.shards(
                        (long) averaged[0].length + averaged[1].length + averaged[2].length,
                        cfg.workers());
        RoundPiece res;
        try {
            JavaPairRDD<Integer, RoundPiece> averagedShards =
                    epochTrain
                            .mapPartitionsWithIndex(
                                    (pi, it) ->
                                            Workers.trainRound(
                                                    pi,
                                                    it,
                                                    dataId,
                                                    jobBc.value(),
                                                    bc.value(),
                                                    epoch,
                                                    round,
                                                    shards),
                                    true)
                            .mapToPair(p -> new Tuple2<>(p.shard(), p))
                            .groupByKey(shards + 1)
                            .mapValues(ShardedAverage::combine);
            // a large model's shards reach the driver one at a time
            java.util.Iterator<Tuple2<Integer, RoundPiece>> pieces =
                    shards > 2
                            ? averagedShards.toLocalIterator()
                            : averagedShards.collect().iterator();
            res = assemble(pieces, shards, averaged);
        } finally {
            bc.destroy();
        }
        if (res.badPartition() >= 0 || !Double.isFinite(res.lossSum)) {
            throw new DivergedException(epoch, round, res.badPartition(), res.meanLoss());
        }
        return new Rounds(
                res.workers() == 0 ? null : averaged,
                new double[] {res.lossSum},
                new long[] {res.batches},
                new long[] {res.examples()},
                new int[] {res.workers()});
    }

    /**
     * Rounds {@code [round, end)} in one Spark job whose tasks average among themselves ({@link
     * Exchange#TASKS}): a barrier stage when there are several workers.
     */
    private Rounds segment(
            JavaRDD<ImageRecord> epochTrain,
            Broadcast<Workers.Job> jobBc,
            ModelState state,
            int epoch,
            int round,
            int end) {
        Broadcast<float[][]> bc =
                sc.broadcast(
                        new float[][] {
                            state.parameters(), state.optimizerState(), state.buffers()
                        });
        List<Workers.Segment> out;
        try {
            SegmentTask task =
                    new SegmentTask(
                            jobBc,
                            bc,
                            epochTrain.id(),
                            epoch,
                            round,
                            end,
                            epochTrain.getNumPartitions() > 1);
            out =
                    task.exchange
                            ? epochTrain
                                    .rdd()
                                    .barrier()
                                    .mapPartitions(
                                            task,
                                            true,
                                            scala.reflect.ClassTag$.MODULE$.apply(
                                                    Workers.Segment.class))
                                    .toJavaRDD()
                                    .collect()
                            : epochTrain.mapPartitions(task::call, true).collect();
        } finally {
            bc.destroy();
        }
        if (out.size() != 1) {
            throw new IllegalStateException(
                    "expected one segment result (from partition 0) but got " + out.size());
        }
        Workers.Segment s = out.get(0);
        if (s.divergedRound() >= 0) {
            throw new DivergedException(
                    epoch, s.divergedRound(), s.badPartition(), s.divergedLoss());
        }
        boolean anyTrained = java.util.Arrays.stream(s.workers()).anyMatch(w -> w > 0);
        return new Rounds(
                anyTrained ? s.state() : null, s.lossSum(), s.batches(), s.examples(), s.workers());
    }

    /** The task of a segment, as a Scala function for {@code RDDBarrier.mapPartitions}. */
    private static final class SegmentTask
            extends scala.runtime.AbstractFunction1<
                    scala.collection.Iterator<ImageRecord>,
                    scala.collection.Iterator<Workers.Segment>>
            implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final Broadcast<Workers.Job> job;
        private final Broadcast<float[][]> arrays;
        private final int dataId;
        private final int epoch;
        private final int from;
        private final int to;
        final boolean exchange;

        SegmentTask(
                Broadcast<Workers.Job> job,
                Broadcast<float[][]> arrays,
                int dataId,
                int epoch,
                int from,
                int to,
                boolean exchange) {
            this.job = job;
            this.arrays = arrays;
            this.dataId = dataId;
            this.epoch = epoch;
            this.from = from;
            this.to = to;
            this.exchange = exchange;
        }

        java.util.Iterator<Workers.Segment> call(java.util.Iterator<ImageRecord> it) {
            return Workers.trainSegment(
                    org.apache.spark.TaskContext.getPartitionId(),
                    it,
                    dataId,
                    job.value(),
                    arrays.value(),
                    epoch,
                    from,
                    to,
                    exchange);
        }

        @Override
        public scala.collection.Iterator<Workers.Segment> apply(
                scala.collection.Iterator<ImageRecord> it) {
            return scala.collection.JavaConverters.asScalaIteratorConverter(
                            call(
                                    scala.collection.JavaConverters.asJavaIteratorConverter(it)
                                            .asJava()))
                    .asScala();
        }
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

    /** Whether a failed job lost an executor (rather than a task failing by itself). */
    static boolean lostAnExecutor(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains("ExecutorLostFailure")) {
                return true;
            }
        }
        return false;
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
        RoundFailedException(int epoch, int round, int end, String cause, Throwable t) {
            super(
                    (end == round + 1 ? "round " + end : "rounds " + (round + 1) + "-" + end)
                            + " of epoch "
                            + epoch
                            + " failed: "
                            + cause,
                    t);
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

    /**
     * The partitions' sizes; each executor keeps the records it counted for the run's first epoch
     * ({@link Workers#countAndKeep}).
     */
    private static List<Integer> partitionSizes(JavaRDD<ImageRecord> train, String runId) {
        int dataId = train.id();
        return train.mapPartitionsWithIndex(
                        (p, it) -> List.of(Workers.countAndKeep(runId, p, dataId, it)).iterator(),
                        true)
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
            return evaluate(data, state, jobBc, -1);
        } finally {
            jobBc.destroy();
            Workers.release(job.runId());
        }
    }

    /**
     * {@code trainedEpoch}: the epoch whose training just ended (its executors release memory
     * before the test pass, {@link EpochMemory}), or -1 outside training.
     */
    private double evaluate(
            ImageDataset data, ModelState state, Broadcast<Workers.Job> jobBc, int trainedEpoch) {
        Broadcast<float[][]> bc =
                sc.broadcast(new float[][] {state.parameters(), null, state.buffers()});
        long[] counts;
        try {
            counts =
                    data.test()
                            .mapPartitions(
                                    it ->
                                            Workers.evaluate(
                                                    it, jobBc.value(), bc.value(), trainedEpoch))
                            .reduce((a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        } finally {
            bc.destroy();
        }
        return counts[1] == 0 ? Double.NaN : (double) counts[0] / counts[1];
    }
}
