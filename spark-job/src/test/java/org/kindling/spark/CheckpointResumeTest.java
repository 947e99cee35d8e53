package org.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.LocalSpark;
import org.kindling.data.SharedData;
import org.kindling.spark.averaging.TrainingListener;

/**
 * Checkpoints and resume: a run interrupted after any round and resumed ends with exactly the
 * parameters of the uninterrupted run; a corrupt newest checkpoint falls back to the previous one;
 * another configuration is refused; a diverging run stops naming the last good checkpoint and
 * writes no model.
 */
class CheckpointResumeTest {
    final JavaSparkContext sc = LocalSpark.context();
    @TempDir Path tmp;

    TrainingConfig.Builder run(String name) {
        return TrainingConfig.builder()
                .data(SharedData.cifar10().getParent().getParent().toString())
                .limit(320)
                .batchSize(16)
                .averagingFrequency(2)
                .workers(2)
                .threadsPerWorker(1)
                .momentum(0.9)
                .epochs(2)
                .reshuffle(true)
                .output(tmp.resolve(name + ".kindling").toString());
    }

    TrainingJob.Outcome train(TrainingConfig cfg, PrintStream out) throws Exception {
        return new TrainingJob(sc, cfg, out).run(new TrainingListener() {});
    }

    List<Path> checkpoints(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("ckpt-"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void anInterruptedRunResumedFromItsCheckpointEndsBitIdentical() throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        float[] uninterrupted = train(run("a").build(), quiet).model().parameters();

        Path dir = tmp.resolve("ckpt");
        // interrupted after 7 of 10 rounds (5 per epoch): mid-way through epoch 2
        train(
                run("b").checkpointDir(dir.toString())
                        .checkpointEvery(1)
                        .keepCheckpoints(2)
                        .rounds(7)
                        .build(),
                quiet);
        List<Path> kept = checkpoints(dir);
        assertEquals(
                List.of("ckpt-e00002-r000001.kindling", "ckpt-e00002-r000002.kindling"),
                kept.stream().map(p -> p.getFileName().toString()).toList(),
                "the newest 2 are kept");
        TrainingJob.Outcome resumed =
                train(
                        run("c").checkpointDir(dir.toString())
                                .checkpointEvery(1)
                                .resume(true)
                                .build(),
                        quiet);
        assertArrayEquals(uninterrupted, resumed.model().parameters());

        // a corrupt newest checkpoint: resume falls back to the previous one, and says so
        Path newest = checkpoints(dir).get(checkpoints(dir).size() - 1);
        byte[] b = Files.readAllBytes(newest);
        Files.write(newest, Arrays.copyOf(b, b.length / 3));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingJob.Outcome fallback =
                train(
                        run("d").checkpointDir(dir.toString()).resume(true).build(),
                        new PrintStream(log, true, StandardCharsets.UTF_8));
        String said = log.toString(StandardCharsets.UTF_8);
        assertTrue(
                said.contains("Checkpoint " + "file:" + newest + " is unreadable")
                        || said.contains("Checkpoint " + newest + " is unreadable"),
                said);
        assertTrue(said.contains("falling back to the previous one"), said);
        assertTrue(
                Files.exists(newest.resolveSibling(newest.getFileName() + ".corrupt")),
                "the unreadable checkpoint is set aside, so pruning cannot keep it: " + said);
        assertArrayEquals(uninterrupted, fallback.model().parameters());
    }

    @Test
    void aCheckpointOfAnotherConfigurationIsRefusedNamingTheDifference() throws Exception {
        Path dir = tmp.resolve("ckpt");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        train(run("a").epochs(1).checkpointDir(dir.toString()).build(), quiet);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                train(
                                        run("b").workers(1)
                                                .checkpointDir(dir.toString())
                                                .resume(true)
                                                .build(),
                                        quiet));
        assertTrue(e.getMessage().startsWith("--resume: checkpoint "), e.getMessage());
        assertTrue(e.getMessage().contains("workers 2 (checkpoint) vs 1 (now)"), e.getMessage());
    }

    @Test
    void aDivergingRunStopsNamingTheLastGoodCheckpointAndWritesNoModel() throws Exception {
        Path dir = tmp.resolve("ckpt");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        train(run("good").epochs(1).checkpointDir(dir.toString()).build(), quiet);
        Path good = checkpoints(dir).get(0);
        byte[] before = Files.readAllBytes(good);

        TrainingConfig absurd =
                run("bad")
                        .epochs(2)
                        .lr(1e9)
                        .checkpointDir(dir.toString())
                        .checkpointEvery(1)
                        .resume(true)
                        .build();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> train(absurd, quiet));
        assertTrue(
                e.getMessage().startsWith("training diverged in round 1 of epoch 2: partition "),
                e.getMessage());
        assertTrue(
                e.getMessage().contains("last good checkpoint: file:" + good)
                        || e.getMessage().contains("last good checkpoint: " + good),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("no model was written"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(good), "the good checkpoint is intact");
        assertEquals(List.of(good), checkpoints(dir), "no checkpoint was written after it");
        assertFalse(Files.exists(tmp.resolve("bad.kindling")), "no model");
    }
}
