package org.kindling.spark.averaging;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.kindling.data.ImageRecord;
import org.kindling.data.RecordDecoder;
import org.kindling.data.batch.Batch;
import org.kindling.data.batch.BatchBuffer;
import org.kindling.data.batch.Normalization;
import org.kindling.data.transforms.Transform;
import org.kindling.nn.internal.Finite;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.training.FlatVector;
import org.kindling.nn.training.Learner;
import org.kindling.nn.training.ModelBackends;
import org.kindling.nn.training.ModelDefinition;

/**
 * The executor side of parameter averaging: borrow a learner for the run, restore the broadcast
 * arrays, train k mini-batches of this partition, return the result.
 *
 * <p>Learners are pooled per run (a run is one {@code fit}, named by a random id), so a round costs
 * one array copy, not a model build. The pool keeps the learners of the {@value #RUNS_KEPT} most
 * recent runs only: a long-lived executor (a notebook's) does not grow across runs.
 */
public final class Workers {
    static final int RUNS_KEPT = 2;

    private static final Map<String, ArrayDeque<Learner>> POOL =
            new LinkedHashMap<>(4, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Learner>> e) {
                    if (size() > RUNS_KEPT) {
                        e.getValue().forEach(LearnerThreads::retire);
                        return true;
                    }
                    return false;
                }
            };

    /**
     * Each learner thread's batch arrays, reused from step to step (a fresh batch per step costs
     * fresh pages: {@link BatchBuffer}); they go with the thread.
     */
    private static final ThreadLocal<BatchBuffer> BATCHES =
            ThreadLocal.withInitial(BatchBuffer::new);

    private Workers() {}

    /** What every task of a run needs besides the arrays: sent once per run (a broadcast). */
    public record Job(
            String runId,
            ModelDefinition definition,
            long seed,
            int batchSize,
            int averagingFrequency,
            int threads,
            long[] imageShape,
            Normalization normalization,
            Transform transform,
            RecordDecoder decoder,
            boolean averageOptimizerState)
            implements java.io.Serializable {}

    static Learner borrow(Job job) {
        Nd4jRuntime.init(job.threads());
        synchronized (POOL) {
            ArrayDeque<Learner> free = POOL.get(job.runId());
            if (free != null && !free.isEmpty()) {
                return free.pop();
            }
        }
        return ModelBackends.get(job.definition().backend()).learner(job.definition(), job.seed());
    }

    static void giveBack(Job job, Learner l) {
        synchronized (POOL) {
            POOL.computeIfAbsent(job.runId(), k -> new ArrayDeque<>()).push(l);
        }
    }

    /** Drops the learners and local optimizer states of run {@code runId} in this JVM. */
    static void release(String runId) {
        ArrayDeque<Learner> learners;
        synchronized (POOL) {
            learners = POOL.remove(runId);
        }
        if (learners != null) {
            learners.forEach(LearnerThreads::retire);
        }
        synchronized (EPOCHS) {
            EPOCHS.remove(runId);
        }
        synchronized (LOCAL_STATE) {
            LOCAL_STATE.remove(runId);
        }
        EpochMemory.release(runId);
    }

    /** Number of runs whose learners are pooled in this JVM (for tests). */
    static int pooledRuns() {
        synchronized (POOL) {
            return POOL.size();
        }
    }

    /** The seed of the randomness (augmentation, Dropout) of one partition in one round. */
    static long roundSeed(long seed, int epoch, int partition, int round) {
        return seed * 1_000_003L + epoch * 10_007L + partition * 101L + round;
    }

    /**
     * Trains round {@code round} of {@code epoch} on one partition and returns its pieces: the flat
     * [parameters | optimizer state | buffers] cut into {@code shards} slices (without the
     * optimizer state when it is not averaged: then each partition keeps its own, on its executor),
     * and the round's statistics.
     */
    static Iterator<RoundPiece> trainRound(
            int partition,
            Iterator<ImageRecord> records,
            int dataId,
            Job job,
            float[][] state,
            int epoch,
            int round,
            int shards) {
        EpochData ed = epochData(job, partition, epoch, dataId, records);
        int from = round * job.averagingFrequency();
        int to = Math.min(ed.batches().size(), from + job.averagingFrequency());
        if (from >= to) {
            return Collections.emptyIterator();
        }
        Learner t = borrow(job);
        // back to the pool once: after the last piece, or when the task ends otherwise (failed,
        // killed, its output abandoned)
        boolean[] returned = {false};
        Runnable back =
                () -> {
                    synchronized (returned) {
                        if (!returned[0]) {
                            returned[0] = true;
                            giveBack(job, t);
                        }
                    }
                };
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener(
                    new org.apache.spark.util.TaskCompletionListener() {
                        @Override
                        public void onTaskCompletion(org.apache.spark.TaskContext context) {
                            back.run();
                        }
                    });
        }
        double[] trained;
        try {
            // on the learner's own thread: its step workspace and OpenMP team are reused
            trained =
                    LearnerThreads.run(
                            t,
                            () -> {
                                restore(t, job, partition, state);
                                double[] r =
                                        trainBatches(t, job, ed, partition, epoch, round, from, to);
                                if (!job.averageOptimizerState()) {
                                    keepLocalState(job, partition, t.optimizerState());
                                }
                                return r;
                            });
        } catch (RuntimeException | Error e) {
            back.run();
            throw e;
        }
        // Slices are cut from the learner's arrays one at a time, as the shuffle writes them: a
        // task never holds a whole-model copy on the heap. The learner goes back to the pool after
        // the last piece.
        FlatVector flat = new FlatVector(t.flatSegments(job.averageOptimizerState()));
        final double roundLoss = trained[0];
        final long roundExamples = (long) trained[1];
        final int batchesTrained = to - from;
        return new Iterator<>() {
            private int s;
            private boolean finite = Double.isFinite(roundLoss);

            @Override
            public boolean hasNext() {
                return s <= shards;
            }

            @Override
            public RoundPiece next() {
                if (s > shards) {
                    throw new java.util.NoSuchElementException();
                }
                if (s < shards) {
                    float[] v =
                            flat.slice(
                                    ShardedAverage.offset(flat.length(), shards, s),
                                    ShardedAverage.offset(flat.length(), shards, s + 1));
                    finite &= finite(v);
                    return RoundPiece.slice(s++, partition, v);
                }
                s++;
                back.run();
                return RoundPiece.stats(
                        partition, roundLoss, batchesTrained, roundExamples, !finite);
            }
        };
    }

    /**
     * What the workers of a segment ({@link Exchange#TASKS}) hand the driver: partition 0's model
     * after the last round (every worker holds the same one), and per round the statistics summed
     * over the workers that trained, in partition order; or where the run diverged.
     */
    record Segment(
            float[][] state,
            double[] lossSum,
            long[] batches,
            long[] examples,
            int[] workers,
            int divergedRound,
            int badPartition,
            double divergedLoss)
            implements java.io.Serializable {}

    /**
     * Trains rounds {@code [fromRound, toRound)} of {@code epoch} on one partition in one task.
     * With {@code exchange} this task is one of a barrier stage's: after each round it sends its
     * model to the other workers and replaces it with the mean of all that trained, as {@link
     * ParameterAveraging}'s driver would. Without, it is the only worker and keeps its model.
     * Partition 0 returns the {@link Segment}; the others return nothing.
     */
    static Iterator<Segment> trainSegment(
            int partition,
            Iterator<ImageRecord> records,
            int dataId,
            Job job,
            float[][] state,
            int epoch,
            int fromRound,
            int toRound,
            boolean exchange) {
        EpochData ed = epochData(job, partition, epoch, dataId, records);
        // the cast, not BarrierTaskContext.get(): Spark's companion object starts a non-daemon
        // timer thread that would keep a local-mode JVM from exiting (Spark 3.5)
        AllGather allGather =
                exchange
                        ? new AllGather(
                                (org.apache.spark.BarrierTaskContext)
                                        org.apache.spark.TaskContext.get())
                        : null;
        RoundMessage.Codec codec = exchange ? new RoundMessage.Codec() : null;
        float[] mean = null;
        Learner t = borrow(job);
        try {
            LearnerThreads.run(t, () -> restore(t, job, partition, state));
            int n = toRound - fromRound;
            double[] loss = new double[n];
            long[] batches = new long[n];
            long[] examples = new long[n];
            int[] workers = new int[n];
            for (int i = 0; i < n; i++) {
                int round = fromRound + i;
                int from = round * job.averagingFrequency();
                int to = Math.min(ed.batches().size(), from + job.averagingFrequency());
                RoundMessage mine =
                        LearnerThreads.run(
                                t,
                                () -> {
                                    if (from >= to) {
                                        return new RoundMessage(
                                                partition, false, false, 0, 0, 0, null);
                                    }
                                    double[] r =
                                            trainBatches(
                                                    t, job, ed, partition, epoch, round, from, to);
                                    List<org.nd4j.linalg.api.ndarray.INDArray> segs =
                                            t.flatSegments(job.averageOptimizerState());
                                    boolean bad = !Double.isFinite(r[0]) || !finite(segs);
                                    float[] flat = null;
                                    if (exchange && !bad) {
                                        FlatVector v = new FlatVector(segs);
                                        flat = codec.values(partition, (int) v.length());
                                        v.sliceInto(0, v.length(), flat, 0);
                                    }
                                    return new RoundMessage(
                                            partition,
                                            true,
                                            bad,
                                            r[0],
                                            to - from,
                                            (long) r[1],
                                            flat);
                                });
                List<RoundMessage> all = new ArrayList<>();
                if (exchange) {
                    // ordered by partition: Spark's coordinator files each message under its
                    // sender's partition; this task's own is used as it is (decoding it gives
                    // back the same bits) instead of decoded again
                    String[] messages = allGather.apply(codec.encode(mine));
                    for (int p = 0; p < messages.length; p++) {
                        all.add(p == partition ? mine : codec.decode(messages[p]));
                    }
                } else {
                    all.add(mine);
                }
                List<float[]> trained = new ArrayList<>();
                for (RoundMessage m : all) {
                    if (!m.trained()) {
                        continue;
                    }
                    loss[i] += m.lossSum();
                    batches[i] += m.batches();
                    examples[i] += m.examples();
                    workers[i]++;
                    if (m.bad()) {
                        // every worker saw the same messages and stops here too
                        return result(
                                partition,
                                new Segment(
                                        null,
                                        loss,
                                        batches,
                                        examples,
                                        workers,
                                        round,
                                        m.partition(),
                                        loss[i] / Math.max(1, batches[i])));
                    }
                    trained.add(m.values());
                }
                if (exchange && !trained.isEmpty()) {
                    if (mean == null || mean.length != trained.get(0).length) {
                        mean = new float[trained.get(0).length];
                    }
                    float[] m = ShardedAverage.mean(trained, mean);
                    LearnerThreads.run(t, () -> restoreFlat(t, job, m));
                }
            }
            if (!job.averageOptimizerState()) {
                keepLocalState(job, partition, LearnerThreads.run(t, t::optimizerState));
            }
            if (partition != 0) {
                return Collections.emptyIterator();
            }
            float[][] model =
                    LearnerThreads.run(
                            t,
                            () ->
                                    new float[][] {
                                        t.parameters(),
                                        job.averageOptimizerState()
                                                ? t.optimizerState()
                                                : new float[0],
                                        t.buffers()
                                    });
            return List.of(new Segment(model, loss, batches, examples, workers, -1, -1, 0))
                    .iterator();
        } finally {
            giveBack(job, t);
        }
    }

    /**
     * On the learner's thread: sets its OpenMP thread count and restores the broadcast [parameters,
     * optimizer state, buffers] (this partition's own optimizer state when it is not averaged).
     */
    private static Void restore(Learner t, Job job, int partition, float[][] state) {
        Nd4jRuntime.init(job.threads()); // OpenMP's count is per thread
        t.setParameters(state[0]);
        t.setOptimizerState(
                job.averageOptimizerState() ? state[1] : localState(job, partition, state[1]));
        t.setBuffers(state[2]);
        return null;
    }

    private static Iterator<Segment> result(int partition, Segment s) {
        return partition == 0 ? List.of(s).iterator() : Collections.emptyIterator();
    }

    /** Sets [parameters | optimizer state (if averaged) | buffers] from one flat vector. */
    private static Void restoreFlat(Learner t, Job job, float[] flat) {
        int p = (int) t.numParameters();
        int s = job.averageOptimizerState() ? flat.length - p - t.buffers().length : 0;
        t.setParameters(range(flat, 0, p));
        if (job.averageOptimizerState()) {
            t.setOptimizerState(range(flat, p, p + s));
        }
        t.setBuffers(range(flat, p + s, flat.length));
        return null;
    }

    /**
     * {@code flat[from, to)}: the array itself when that is all of it (a vector of parameters
     * only), else a copy.
     */
    private static float[] range(float[] flat, int from, int to) {
        return from == 0 && to == flat.length ? flat : java.util.Arrays.copyOfRange(flat, from, to);
    }

    /**
     * Trains mini-batches {@code [from, to)} of the partition's epoch plan, on the learner's
     * thread; returns {loss sum, examples}.
     */
    private static double[] trainBatches(
            Learner t,
            Job job,
            EpochData ed,
            int partition,
            int epoch,
            int round,
            int from,
            int to) {
        long seed = roundSeed(job.seed(), epoch, partition, round);
        t.reseed(seed);
        double loss = 0;
        long examples = 0;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int b = from; b < to; b++) {
            List<ImageRecord> chosen = select(ed.records(), ed.batches().get(b));
            if (job.decoder() != null) {
                chosen.replaceAll(job.decoder()::decode);
            }
            if (job.transform() != null) {
                chosen.replaceAll(r -> job.transform().apply(r, job.imageShape(), rnd));
            }
            Batch batch =
                    BATCHES.get()
                            .fill(
                                    chosen,
                                    job.imageShape(),
                                    job.normalization(),
                                    job.definition().numClasses(),
                                    false);
            loss += t.step(batch.features(), batch.labels());
            examples += batch.size();
        }
        return new double[] {loss, examples};
    }

    /** Whether every element of the arrays is finite ({@link Finite#all}: natively, no copy). */
    static boolean finite(List<org.nd4j.linalg.api.ndarray.INDArray> segments) {
        for (org.nd4j.linalg.api.ndarray.INDArray s : segments) {
            if (!Finite.all(s)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A partition's records (of the RDD {@code dataId}) and its {@link EpochPlan} for one epoch
     * (epoch 0 and no plan: counted before the first epoch), as this executor saw them.
     */
    record EpochData(int epoch, int dataId, List<ImageRecord> records, List<int[]> batches) {}

    // Per run and partition, the epoch being trained: every round of an epoch reads the same cached
    // partition, so the records and the shuffled plan are built once per epoch and a round costs
    // O(k x batch), not O(partition). The records are kept into the next epoch while the data is
    // the same RDD (not reshuffled): reading a cached partition back costs its deserialisation
    // (1.4 s of a 32 s CIFAR-10 epoch). Kept for the RUNS_KEPT most recent runs, one epoch each.
    private static final Map<String, Map<Integer, EpochData>> EPOCHS =
            new LinkedHashMap<>(4, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<Integer, EpochData>> e) {
                    return size() > RUNS_KEPT;
                }
            };

    /**
     * Counts a partition's records of the RDD {@code dataId} before the run {@code runId} trains,
     * and keeps them as that partition's records: the first epoch then starts from them instead of
     * deserialising the cached partition again (docs/PERFORMANCE.md, profile 18). An executor that
     * did not count the partition reads it.
     */
    static int countAndKeep(
            String runId, int partition, int dataId, Iterator<ImageRecord> records) {
        List<ImageRecord> recs = Collections.unmodifiableList(toList(records));
        synchronized (EPOCHS) {
            EPOCHS.computeIfAbsent(runId, k -> new HashMap<>())
                    .put(partition, new EpochData(0, dataId, recs, List.of()));
        }
        return recs.size();
    }

    static EpochData epochData(
            Job job, int partition, int epoch, int dataId, Iterator<ImageRecord> records) {
        EpochData known;
        synchronized (EPOCHS) {
            Map<Integer, EpochData> m = EPOCHS.get(job.runId());
            known = m == null ? null : m.get(partition);
            if (known != null && known.epoch() == epoch && known.dataId() == dataId) {
                return known;
            }
        }
        EpochMemory.epochStarting(job.runId(), epoch);
        List<ImageRecord> recs =
                known != null && known.dataId() == dataId
                        ? known.records()
                        : Collections.unmodifiableList(toList(records));
        EpochData d =
                new EpochData(
                        epoch,
                        dataId,
                        recs,
                        EpochPlan.batches(
                                recs.size(), job.batchSize(), job.seed(), epoch, partition));
        synchronized (EPOCHS) {
            EPOCHS.computeIfAbsent(job.runId(), k -> new HashMap<>()).put(partition, d);
        }
        return d;
    }

    private static final Map<String, Map<Integer, float[]>> LOCAL_STATE =
            new LinkedHashMap<>(4, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<Integer, float[]>> e) {
                    return size() > RUNS_KEPT;
                }
            };

    private static float[] localState(Job job, int partition, float[] initial) {
        synchronized (LOCAL_STATE) {
            Map<Integer, float[]> m = LOCAL_STATE.get(job.runId());
            float[] s = m == null ? null : m.get(partition);
            return s != null ? s : initial;
        }
    }

    private static void keepLocalState(Job job, int partition, float[] s) {
        synchronized (LOCAL_STATE) {
            LOCAL_STATE.computeIfAbsent(job.runId(), k -> new HashMap<>()).put(partition, s);
        }
    }

    private static boolean finite(float[] a) {
        for (float v : a) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Counts correct predictions on one partition: returns {correct, total}. After epoch {@code
     * trainedEpoch}'s training (-1: outside training) the first such task on this JVM releases
     * memory, so the next epoch starts from the released footprint ({@link EpochMemory}).
     */
    static Iterator<long[]> evaluate(
            Iterator<ImageRecord> records, Job job, float[][] state, int trainedEpoch) {
        if (trainedEpoch >= 0) {
            EpochMemory.epochStarting(job.runId(), trainedEpoch + 1);
        }
        Learner t = borrow(job);
        try {
            LearnerThreads.run(
                    t,
                    () -> {
                        Nd4jRuntime.init(job.threads()); // OpenMP's thread count is per thread
                        t.setParameters(state[0]);
                        t.setBuffers(state[2]);
                        return null;
                    });
            long correct = 0;
            long total = 0;
            List<ImageRecord> chunk = new ArrayList<>();
            // evaluation batches scale with the training batch, which the user sized to memory
            int size = Math.min(500, 4 * job.batchSize());
            while (records.hasNext() || !chunk.isEmpty()) {
                if (records.hasNext()) {
                    ImageRecord r = records.next();
                    chunk.add(job.decoder() == null ? r : job.decoder().decode(r));
                }
                if (chunk.size() == size || (!records.hasNext() && !chunk.isEmpty())) {
                    correct +=
                            LearnerThreads.run(
                                    t,
                                    () -> {
                                        Batch b =
                                                BATCHES.get()
                                                        .fill(
                                                                chunk,
                                                                job.imageShape(),
                                                                job.normalization(),
                                                                job.definition().numClasses(),
                                                                false);
                                        return t.countCorrect(b.features(), b.labels());
                                    });
                    total += chunk.size();
                    chunk.clear();
                }
            }
            return List.of(new long[] {correct, total}).iterator();
        } finally {
            giveBack(job, t);
        }
    }

    static List<ImageRecord> select(List<ImageRecord> recs, int[] idx) {
        List<ImageRecord> out = new ArrayList<>(idx.length);
        for (int i : idx) out.add(recs.get(i));
        return out;
    }

    private static List<ImageRecord> toList(Iterator<ImageRecord> it) {
        List<ImageRecord> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }
}
