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
import org.kindling.data.batch.Normalization;
import org.kindling.data.transforms.Transform;
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
            Job job,
            float[][] state,
            int epoch,
            int round,
            int shards) {
        EpochData ed = epochData(job, partition, epoch, records);
        List<ImageRecord> recs = ed.records();
        List<int[]> batches = ed.batches();
        int from = round * job.averagingFrequency();
        int to = Math.min(batches.size(), from + job.averagingFrequency());
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
                                Nd4jRuntime.init(job.threads()); // OpenMP's count is per thread
                                t.setParameters(state[0]);
                                t.setOptimizerState(
                                        job.averageOptimizerState()
                                                ? state[1]
                                                : localState(job, partition, state[1]));
                                t.setBuffers(state[2]);
                                long seed = roundSeed(job.seed(), epoch, partition, round);
                                t.reseed(seed);
                                double loss = 0;
                                long examples = 0;
                                SplittableRandom rnd = new SplittableRandom(seed);
                                for (int b = from; b < to; b++) {
                                    List<ImageRecord> chosen = select(recs, batches.get(b));
                                    if (job.decoder() != null) {
                                        chosen.replaceAll(job.decoder()::decode);
                                    }
                                    if (job.transform() != null) {
                                        chosen.replaceAll(
                                                r ->
                                                        job.transform()
                                                                .apply(r, job.imageShape(), rnd));
                                    }
                                    Batch batch =
                                            Batch.of(
                                                    chosen,
                                                    job.imageShape(),
                                                    job.normalization(),
                                                    job.definition().numClasses(),
                                                    false);
                                    loss += t.step(batch.features(), batch.labels());
                                    examples += batch.size();
                                }
                                if (!job.averageOptimizerState()) {
                                    keepLocalState(job, partition, t.optimizerState());
                                }
                                return new double[] {loss, examples};
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

    /** A partition's records and its {@link EpochPlan} for one epoch, as this executor saw them. */
    record EpochData(int epoch, List<ImageRecord> records, List<int[]> batches) {}

    // Per run and partition, the epoch being trained: every round of an epoch reads the same cached
    // partition, so the records and the shuffled plan are built once per epoch and a round costs
    // O(k x batch), not O(partition). Kept for the RUNS_KEPT most recent runs, one epoch each.
    private static final Map<String, Map<Integer, EpochData>> EPOCHS =
            new LinkedHashMap<>(4, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<Integer, EpochData>> e) {
                    return size() > RUNS_KEPT;
                }
            };

    static EpochData epochData(Job job, int partition, int epoch, Iterator<ImageRecord> records) {
        synchronized (EPOCHS) {
            Map<Integer, EpochData> m = EPOCHS.get(job.runId());
            EpochData d = m == null ? null : m.get(partition);
            if (d != null && d.epoch() == epoch) {
                return d;
            }
        }
        List<ImageRecord> recs = toList(records);
        EpochData d =
                new EpochData(
                        epoch,
                        Collections.unmodifiableList(recs),
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

    /** Counts correct predictions on one partition: returns {correct, total}. */
    static Iterator<long[]> evaluate(Iterator<ImageRecord> records, Job job, float[][] state) {
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
                    Batch b =
                            Batch.of(
                                    chunk,
                                    job.imageShape(),
                                    job.normalization(),
                                    job.definition().numClasses(),
                                    false);
                    correct +=
                            LearnerThreads.run(t, () -> t.countCorrect(b.features(), b.labels()));
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
