package org.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.SharedData;
import org.kindling.nn.io.SafeTensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A driver killed with {@code kill -9} mid-training loses nothing: rerun with {@code --resume}, the
 * run finishes with parameters equal, bit for bit, to those of an uninterrupted run. Both runs are
 * separate driver JVMs started like {@code bin/kindling} (local mode, 2 workers).
 */
class DriverCrashResumeIT {
    @TempDir Path tmp;

    List<String> train(String output, String... extra) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("kindling.opens", "").split(" ")));
        cmd.add("-Xmx2g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.kindling.spark.cli.KindlingCli");
        cmd.addAll(
                List.of(
                        "train",
                        "--master",
                        "local[2]",
                        "--data",
                        SharedData.cifar10().getParent().getParent().toString(),
                        "--limit",
                        "640",
                        "--batch-size",
                        "16",
                        "-k",
                        "2",
                        "--workers",
                        "2",
                        "--threads-per-worker",
                        "1",
                        "--epochs",
                        "2",
                        "--momentum",
                        "0.9",
                        "--reshuffle",
                        "--save",
                        "params",
                        "--output",
                        output));
        cmd.addAll(Arrays.asList(extra));
        cmd.removeIf(String::isEmpty);
        return cmd;
    }

    Process start(List<String> cmd, String log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.redirectOutput(tmp.resolve(log).toFile());
        return pb.start();
    }

    long checkpoints(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("ckpt-.*\\.kindling")).count();
        }
    }

    static Map<String, INDArray> tensors(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return SafeTensors.read(in, file.toString()).tensors();
        }
    }

    @Test
    void aDriverKilledMidTrainingResumesToTheUninterruptedResult() throws Exception {
        Path uninterrupted = tmp.resolve("uninterrupted.safetensors");
        Process a = start(train(uninterrupted.toString()), "a.log");
        assertEquals(0, a.waitFor(), Files.readString(tmp.resolve("a.log")));

        Path dir = tmp.resolve("ckpt");
        Path resumed = tmp.resolve("resumed.safetensors");
        List<String> withCheckpoints =
                train(
                        resumed.toString(),
                        "--checkpoint-dir",
                        dir.toString(),
                        "--checkpoint-every",
                        "1");
        Process b = start(withCheckpoints, "b.log");
        // 20 rounds per epoch; kill the driver once it has written its third checkpoint
        while (checkpoints(dir) < 3) {
            assertTrue(
                    b.isAlive(),
                    "the run ended before it could be killed: "
                            + Files.readString(tmp.resolve("b.log")));
            Thread.sleep(200);
        }
        b.destroyForcibly(); // SIGKILL, like kill -9
        b.waitFor();
        assertTrue(!Files.exists(resumed), "the killed run wrote no model");

        List<String> resume = new ArrayList<>(withCheckpoints);
        resume.add("--resume");
        Process c = start(resume, "c.log");
        String log;
        assertEquals(0, c.waitFor(), Files.readString(tmp.resolve("c.log")));
        log = Files.readString(tmp.resolve("c.log"));
        assertTrue(log.contains("Resuming from "), log);

        Map<String, INDArray> expected = tensors(uninterrupted);
        Map<String, INDArray> actual = tensors(resumed);
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertTrue(
                    Arrays.equals(expected.get(k).data().asFloat(), actual.get(k).data().asFloat()),
                    k + " differs");
        }
    }
}
