package org.kindling.spark.averaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.Test;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;
import org.kindling.data.batch.Normalization;
import org.kindling.data.cifar.Cifar10;
import org.kindling.nn.training.KindlingBackend;
import org.kindling.nn.training.ModelState;
import org.kindling.nn.training.OptimizerSpec;
import org.kindling.spark.TrainingConfig;

/**
 * What a round moves, measured with Spark's own task metrics: with {@code --exchange shuffle} every
 * worker writes its float32 model (parameters, optimizer state, buffers) once to the shuffle, and
 * the driver receives one averaged model, whatever the number of workers; with {@code tasks}
 * nothing is shuffled and the driver receives one model per segment of rounds.
 */
class RoundTrafficTest {
    static final class Traffic extends SparkListener {
        final AtomicLong shuffleWritten = new AtomicLong();
        final AtomicLong resultBytes = new AtomicLong();

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                shuffleWritten.addAndGet(end.taskMetrics().shuffleWriteMetrics().bytesWritten());
                if (end.taskType().equals("ResultTask")) {
                    resultBytes.addAndGet(end.taskMetrics().resultSize());
                }
            }
        }
    }

    long[] oneRound(int workers, String exchange) throws Exception {
        JavaSparkContext sc = LocalSpark.context();
        List<ImageRecord> recs = new ArrayList<>();
        for (int i = 0; i < 8 * workers; i++) {
            byte[] px = new byte[Cifar10.IMAGE_BYTES];
            px[i % px.length] = (byte) i;
            recs.add(new ImageRecord(i % 10, px));
        }
        ImageDataset data =
                new ImageDataset(
                        sc.parallelize(recs, workers).cache(),
                        null,
                        Cifar10.IMAGE_SHAPE,
                        10,
                        new Normalization(Cifar10.TRAIN_MEAN, Cifar10.TRAIN_STD),
                        "fixture");
        data.train().count();
        TrainingConfig cfg =
                TrainingConfig.builder()
                        .batchSize(8)
                        .averagingFrequency(1)
                        .workers(workers)
                        .threadsPerWorker(1)
                        .momentum(0.9)
                        .exchange(exchange)
                        .build();
        ModelState start =
                ModelState.initial(
                        KindlingBackend.zoo("cifarnet", 10, new OptimizerSpec("sgd", 0.01, 0.9)),
                        1);
        Traffic t = new Traffic();
        sc.sc().addSparkListener(t);
        try {
            new ParameterAveraging(sc, cfg, new TrainingListener() {}).fit(data, start);
            sc.sc().listenerBus().waitUntilEmpty();
        } finally {
            sc.sc().removeSparkListener(t);
        }
        return new long[] {t.shuffleWritten.get(), t.resultBytes.get()};
    }

    @Test
    void workersShuffleTheirModelOnceAndTheDriverReceivesOneModel() throws Exception {
        long model = 4L * (145_578 + 145_579); // float32 parameters and SGD state (step + momentum)
        for (int workers : new int[] {2, 4}) {
            long[] bytes = oneRound(workers, "shuffle");
            double shuffled = (double) bytes[0] / (workers * model);
            double received = (double) bytes[1] / model;
            assertTrue(
                    shuffled > 0.99 && shuffled < 1.05,
                    workers
                            + " workers wrote "
                            + bytes[0]
                            + " shuffle bytes, "
                            + shuffled
                            + " models each");
            assertTrue(
                    received > 0.99 && received < 1.10,
                    "the driver received "
                            + bytes[1]
                            + " bytes, "
                            + received
                            + " models, with "
                            + workers
                            + " workers");
        }
    }

    @Test
    void withTasksExchangingTheDriverReceivesOneModelAndNothingIsShuffled() throws Exception {
        long model = 4L * (145_578 + 145_579);
        long[] bytes = oneRound(2, "tasks");
        assertTrue(bytes[0] == 0, "shuffle bytes written: " + bytes[0]);
        double received = (double) bytes[1] / model;
        assertTrue(
                received > 0.99 && received < 1.10,
                "the driver received " + bytes[1] + " bytes, " + received + " models");
    }
}
