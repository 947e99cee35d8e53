package org.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;
import org.kindling.data.cifar.Cifar10;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.TrainingListener;

/**
 * The two ways workers' models meet ({@code --exchange tasks}: rounds averaged among the tasks of
 * one barrier stage; {@code shuffle}: one Spark job per round with a sharded reduce) give the same
 * bits, also when partitions differ in size (rounds in which some workers have nothing to train)
 * and across segments of rounds.
 */
class ExchangeTest {
    JavaSparkContext sc = LocalSpark.context();

    static TrainingConfig config(
            String exchange, String opt, int workers, int batch, int k, boolean averageState) {
        return TrainingConfig.builder()
                .model("cifarnet")
                .epochs(2)
                .batchSize(batch)
                .averagingFrequency(k)
                .workers(workers)
                .optimizer(opt)
                .lr(opt.equals("sgd") ? 0.005 : 0.001)
                .momentum(opt.equals("sgd") ? 0.5 : 0)
                .seed(5L)
                .threadsPerWorker(1)
                .averageOptimizerState(averageState)
                .exchange(exchange)
                .build();
    }

    /**
     * Records in {@code workers} partitions of different sizes (partition 0 gets every third
     * record), through a shuffle as the datasets' partitioning does.
     */
    JavaRDD<ImageRecord> uneven(int n, int workers) {
        List<ImageRecord> recs = Fixtures.records(n, 9);
        List<scala.Tuple2<Integer, ImageRecord>> keyed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int key = i % 3 == 0 ? 0 : 1 + i % Math.max(1, workers - 1);
            keyed.add(new scala.Tuple2<>(key, recs.get(i)));
        }
        return sc.parallelizePairs(keyed, workers)
                .partitionBy(new org.apache.spark.HashPartitioner(workers))
                .values()
                .cache();
    }

    static final class Jobs extends SparkListener {
        int started;

        @Override
        public synchronized void onJobStart(SparkListenerJobStart start) {
            started++;
        }
    }

    ParameterAveraging.Result fit(TrainingConfig cfg, JavaRDD<ImageRecord> train, Jobs jobs) {
        sc.sc().addSparkListener(jobs);
        try {
            return Fixtures.fit(sc, cfg, train, null);
        } finally {
            sc.sc().removeSparkListener(jobs);
        }
    }

    @ParameterizedTest(name = "{0} workers, {1}, average optimizer state {2}")
    @CsvSource({"1, sgd, true", "2, sgd, true", "2, adam, true", "2, sgd, false"})
    void tasksAndShuffleGiveTheSameBits(int workers, String opt, boolean averageState) {
        JavaRDD<ImageRecord> train = uneven(120, workers);
        List<Integer> sizes = new ArrayList<>();
        for (List<ImageRecord> p : train.glom().collect()) sizes.add(p.size());
        if (workers > 1) {
            assertTrue(sizes.stream().distinct().count() > 1, "partitions differ: " + sizes);
        }
        Jobs tasksJobs = new Jobs();
        Jobs shuffleJobs = new Jobs();
        // batch 4, k = 1: 20 rounds for the smallest partition, 40 for the largest (> 32: two
        // segments per epoch), so some rounds have one worker only
        ParameterAveraging.Result tasks =
                fit(config("tasks", opt, workers, 4, 1, averageState), train, tasksJobs);
        ParameterAveraging.Result shuffle =
                fit(config("shuffle", opt, workers, 4, 1, averageState), train, shuffleJobs);
        for (float v : tasks.model().parameters()) {
            assertTrue(Float.isFinite(v), "the run stayed finite");
        }
        assertFalse(
                java.util.Arrays.equals(
                        Fixtures.start(config("tasks", opt, workers, 4, 1, averageState))
                                .parameters(),
                        tasks.model().parameters()),
                "training changed the parameters");
        assertArrayEquals(shuffle.model().parameters(), tasks.model().parameters());
        assertArrayEquals(shuffle.model().optimizerState(), tasks.model().optimizerState());
        assertArrayEquals(shuffle.model().buffers(), tasks.model().buffers());
        assertEquals(shuffle.epochLoss(), tasks.epochLoss());
        assertEquals(shuffle.model().position(), tasks.model().position());
        assertTrue(
                Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> !t.isDaemon() && t.getName().startsWith("Barrier task")),
                "no non-daemon thread of Spark's barrier mode keeps a local JVM from exiting");
        // fewer Spark jobs: a segment of up to 32 rounds is one job
        assertTrue(
                tasksJobs.started * 10 < shuffleJobs.started,
                "jobs: tasks " + tasksJobs.started + ", shuffle " + shuffleJobs.started);
    }

    @Test
    void roundsAndCheckpointBoundariesEndSegments() {
        TrainingConfig cfg = config("tasks", "sgd", 2, 4, 1, true).toBuilder().rounds(7).build();
        List<Integer> stateRounds = new ArrayList<>();
        TrainingListener seen =
                new TrainingListener() {
                    @Override
                    public void onState(
                            org.kindling.nn.training.ModelState state, boolean epochEnd) {
                        stateRounds.add(state.position().round());
                    }
                };
        JavaRDD<ImageRecord> train = uneven(120, 2);
        ParameterAveraging.Result r =
                new ParameterAveraging(sc, cfg, seen)
                        .fit(
                                new ImageDataset(
                                        train, null, Cifar10.IMAGE_SHAPE, 10, Fixtures.norm(), "x"),
                                Fixtures.start(cfg));
        assertEquals(7, r.model().position().round(), "--rounds 7 stops after round 7");
        TrainingConfig every3 = cfg.toBuilder().checkpointDir("/unused").checkpointEvery(3).build();
        ParameterAveraging pa = new ParameterAveraging(sc, every3, new TrainingListener() {});
        assertEquals(3, pa.segmentEnd(0, 40, 100));
        assertEquals(6, pa.segmentEnd(4, 40, 100));
        assertEquals(5, pa.segmentEnd(4, 5, 100), "the epoch ends the segment");
        assertEquals(5, pa.segmentEnd(4, 40, 1), "so do the rounds left");
        ParameterAveraging plain = new ParameterAveraging(sc, cfg, new TrainingListener() {});
        assertEquals(32, plain.segmentEnd(0, 40, 100));
        assertEquals(40, plain.segmentEnd(32, 40, 100));
        assertEquals(List.of(7), stateRounds, "one state per segment: rounds 0-7");
    }

    @Test
    void aDivergingWorkerStopsEveryWorkerOfTheSegment() {
        TrainingConfig cfg = config("tasks", "sgd", 2, 4, 1, true).toBuilder().lr(1e9).build();
        JavaRDD<ImageRecord> train = uneven(120, 2);
        ParameterAveraging.DivergedException e =
                assertThrows(
                        ParameterAveraging.DivergedException.class,
                        () -> Fixtures.fit(sc, cfg, train, null));
        assertTrue(
                e.getMessage()
                        .matches("training diverged in round \\d+ of epoch 1: partition \\d .*"),
                e.getMessage());
    }

    @Test
    void tasksNeedASlotPerWorker() {
        // local[2] has two task slots
        TrainingConfig cfg = config("tasks", "sgd", 4, 4, 1, true);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Fixtures.fit(sc, cfg, uneven(40, 4), null));
        assertEquals(
                "--exchange tasks cannot be used: a barrier stage needs 4 task slots at once but"
                        + " the cluster has 2",
                e.getMessage());
        // auto falls back to the shuffle
        Map<String, Object>[] settings = new Map[1];
        new ParameterAveraging(
                        sc,
                        config("auto", "sgd", 4, 4, 1, true).toBuilder().rounds(1).build(),
                        new TrainingListener() {
                            @Override
                            public void onStart(Map<String, Object> s) {
                                settings[0] = s;
                            }
                        })
                .fit(
                        new ImageDataset(
                                uneven(40, 4), null, Cifar10.IMAGE_SHAPE, 10, Fixtures.norm(), "x"),
                        Fixtures.start(cfg));
        assertTrue(
                String.valueOf(settings[0].get("exchange")).startsWith("shuffle (a barrier stage"),
                String.valueOf(settings[0].get("exchange")));
    }

    @Test
    void anUnknownExchangeIsRejected() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TrainingConfig.builder().exchange("ring").build());
        assertEquals(
                "--exchange must be one of [auto, tasks, shuffle] but was: 'ring'", e.getMessage());
    }
}
