package org.kindling.spark.averaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;
import org.kindling.data.batch.Normalization;
import org.kindling.data.cifar.Cifar10;
import org.kindling.nn.Flatten;
import org.kindling.nn.Linear;
import org.kindling.nn.Sequential;
import org.kindling.nn.training.KindlingBackend;
import org.kindling.nn.training.ModelState;
import org.kindling.nn.training.OptimizerSpec;
import org.kindling.spark.TrainingConfig;

/** The executors' learner pool is keyed by run and bounded. */
class WorkersTest {
    @Test
    void theLearnerPoolKeepsOnlyTheMostRecentRuns() {
        JavaSparkContext sc = LocalSpark.context();
        List<ImageRecord> recs = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++)
            recs.add(new ImageRecord(i % 10, new byte[Cifar10.IMAGE_BYTES]));
        TrainingConfig cfg =
                TrainingConfig.builder().batchSize(8).workers(2).threadsPerWorker(1).build();
        ModelState start = linearModel();
        ImageDataset data =
                new ImageDataset(
                        sc.parallelize(recs, 2),
                        null,
                        Cifar10.IMAGE_SHAPE,
                        10,
                        new Normalization(Cifar10.TRAIN_MEAN, Cifar10.TRAIN_STD),
                        "zeros");
        new ParameterAveraging(sc, cfg, new TrainingListener() {}).fit(data, start);
        assertEquals(
                0, Workers.pooledRuns(), "a finished run's learners are released (local mode)");
        // executors of a cluster keep the learners of the most recent runs only
        for (int run = 0; run < 4; run++) {
            Workers.Job job =
                    new Workers.Job(
                            "run-" + run,
                            start.definition(),
                            1,
                            8,
                            1,
                            1,
                            Cifar10.IMAGE_SHAPE,
                            data.normalization(),
                            null,
                            null,
                            true);
            Workers.giveBack(job, Workers.borrow(job));
            assertTrue(
                    Workers.pooledRuns() <= Workers.RUNS_KEPT,
                    "after run " + run + ": " + Workers.pooledRuns() + " runs pooled");
        }
        assertEquals(Workers.RUNS_KEPT, Workers.pooledRuns());
    }

    @Test
    void theTestPassAfterAnEpochsTrainingReleasesMemoryForTheNextEpoch() {
        ModelState start = linearModel();
        float[][] state = {start.parameters(), null, start.buffers()};
        List<ImageRecord> test = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++)
            test.add(new ImageRecord(i % 10, new byte[Cifar10.IMAGE_BYTES]));
        Normalization norm = new Normalization(Cifar10.TRAIN_MEAN, Cifar10.TRAIN_STD);
        for (int trainedEpoch : new int[] {1, -1}) {
            String run = "evaluate-release-" + trainedEpoch;
            Workers.Job job =
                    new Workers.Job(
                            run,
                            start.definition(),
                            1,
                            8,
                            1,
                            1,
                            Cifar10.IMAGE_SHAPE,
                            norm,
                            null,
                            null,
                            true);
            try {
                EpochMemory.epochStarting(run, 1); // epoch 1's training
                long[] counts = Workers.evaluate(test.iterator(), job, state, trainedEpoch).next();
                assertEquals(20, counts[1]);
                // the first task of epoch 2 releases only if the test pass did not
                assertEquals(
                        trainedEpoch < 0,
                        EpochMemory.epochStarting(run, 2),
                        "epoch 2's first task after a test pass with trainedEpoch " + trainedEpoch);
            } finally {
                Workers.release(run);
            }
        }
    }

    /** A linear classifier of CIFAR-10 images, seed 1. */
    private static ModelState linearModel() {
        return ModelState.initial(
                KindlingBackend.define(
                        new Sequential(new Flatten(), new Linear(3072, 10)),
                        "linear",
                        Cifar10.IMAGE_SHAPE,
                        10,
                        OptimizerSpec.sgd(0.1),
                        List.of()),
                1);
    }

    /** Records handed out by an iterator, counted. */
    static final class Counting implements java.util.Iterator<ImageRecord> {
        final java.util.Iterator<ImageRecord> in;
        int taken;

        Counting(List<ImageRecord> recs) {
            in = recs.iterator();
        }

        @Override
        public boolean hasNext() {
            return in.hasNext();
        }

        @Override
        public ImageRecord next() {
            taken++;
            return in.next();
        }
    }

    /** {@code n} one-byte records, labels cycling through 0-9. */
    private static List<ImageRecord> records(int n) {
        List<ImageRecord> recs = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) recs.add(new ImageRecord(i % 10, new byte[] {(byte) i}));
        return recs;
    }

    /** A job of run {@code runId} for the epoch-data tests: batch 8, seed 1, no model. */
    private static Workers.Job cacheTestJob(String runId) {
        return new Workers.Job(
                runId, null, 1, 8, 1, 1, Cifar10.IMAGE_SHAPE, null, null, null, true);
    }

    @Test
    void aRoundDoesNotReadThePartitionAgainWithinAnEpoch() {
        List<ImageRecord> recs = records(5000);
        Workers.Job job = cacheTestJob("epoch-cache-test");
        Counting first = new Counting(recs);
        Workers.EpochData a = Workers.epochData(job, 0, 1, 7, first);
        assertEquals(5000, first.taken, "the first round of an epoch reads the partition once");
        Counting second = new Counting(recs);
        Workers.EpochData b = Workers.epochData(job, 0, 1, 7, second);
        assertEquals(0, second.taken, "later rounds cost O(k x batch), not O(partition)");
        assertTrue(a == b);
        Counting nextEpoch = new Counting(recs);
        Workers.EpochData c = Workers.epochData(job, 0, 2, 7, nextEpoch);
        assertEquals(0, nextEpoch.taken, "a new epoch of the same data keeps the records");
        assertTrue(c.records() == a.records());
        assertEquals(
                EpochPlan.batches(5000, 8, 1, 2, 0).stream()
                        .map(java.util.Arrays::toString)
                        .toList(),
                c.batches().stream().map(java.util.Arrays::toString).toList(),
                "with the new epoch's plan");
        Counting reshuffled = new Counting(recs);
        Workers.epochData(job, 0, 3, 8, reshuffled);
        assertEquals(5000, reshuffled.taken, "other data (reshuffled) is read again");
        Workers.release("epoch-cache-test");
    }

    @Test
    void theFirstEpochStartsFromTheRecordsCountedBeforeIt() {
        List<ImageRecord> recs = records(300);
        Workers.Job job = cacheTestJob("counted-test");
        Counting counted = new Counting(recs);
        assertEquals(300, Workers.countAndKeep("counted-test", 1, 7, counted));
        assertEquals(300, counted.taken);
        Counting first = new Counting(recs);
        Workers.EpochData a = Workers.epochData(job, 1, 1, 7, first);
        assertEquals(0, first.taken, "the first epoch does not read the counted partition again");
        assertEquals(recs, a.records());
        assertEquals(
                EpochPlan.batches(300, 8, 1, 1, 1).stream()
                        .map(java.util.Arrays::toString)
                        .toList(),
                a.batches().stream().map(java.util.Arrays::toString).toList(),
                "with the first epoch's plan");
        Counting otherPartition = new Counting(recs);
        Workers.epochData(job, 0, 1, 7, otherPartition);
        assertEquals(300, otherPartition.taken, "a partition this executor did not count is read");
        Counting otherData = new Counting(recs);
        Workers.countAndKeep("counted-test", 2, 7, new Counting(recs));
        Workers.epochData(job, 2, 1, 9, otherData);
        assertEquals(300, otherData.taken, "records counted of other data are not used");
        Workers.release("counted-test");
    }

    @Test
    void theDivergenceCheckFindsANaNOrAnInfinityInAnySegment() {
        org.nd4j.linalg.api.ndarray.INDArray a =
                org.nd4j.linalg.factory.Nd4j.createFromArray(new float[] {1f, -2f, 3e38f});
        org.nd4j.linalg.api.ndarray.INDArray b =
                org.nd4j.linalg.factory.Nd4j.createFromArray(new float[] {0f, 5f});
        assertTrue(Workers.finite(List.of(a, b)));
        b.putScalar(1, Float.NaN);
        assertTrue(!Workers.finite(List.of(a, b)), "NaN in the second segment");
        b.putScalar(1, 5f);
        a.putScalar(0, Float.NEGATIVE_INFINITY);
        assertTrue(!Workers.finite(List.of(a, b)), "-Infinity in the first segment");
    }
}
