package org.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The release path end to end: {@code cluster/start-cluster.sh 2} starts a real standalone Master
 * and two Workers (separate JVMs), {@code cluster/spark-submit} submits the job jar built by the
 * {@code dist} profile, and the job trains on CIFAR-10 from {@code ../shared/datasets}. Runs in the
 * {@code cluster-it} profile ({@code mvn -Pdist,cluster-it -pl spark-job -am verify}).
 */
class SubmitToStandaloneClusterIT {
    private static final Pattern ACCURACY = Pattern.compile("Test accuracy (\\d+\\.\\d+)%");
    private static final String BACKEND_LINE = "Nd4jRuntime: ND4J backend ";

    /** The repository root (the cluster-it profile sets kindling.root). */
    private final Path root =
            Paths.get(System.getProperty("kindling.root", "..")).toAbsolutePath().normalize();

    private final Path out = root.resolve("spark-job/target/cluster-it");

    @Test
    void jobJarTrainsOnATwoWorkerStandaloneClusterAndWritesItsModel() throws Exception {
        Path jar = jobJar();
        Files.createDirectories(out);
        Path state = out.resolve("state");
        Path model = out.resolve("model.kindling");
        Files.deleteIfExists(model);
        int masterPort = freePort();
        int uiPort = freePort();
        int workerUiPort = freePortPair();
        Map<String, String> env =
                Map.of(
                        "KINDLING_CLUSTER_STATE", state.toString(),
                        "KINDLING_MASTER_PORT", Integer.toString(masterPort),
                        "KINDLING_MASTER_UI_PORT", Integer.toString(uiPort),
                        "KINDLING_WORKER_UI_PORT", Integer.toString(workerUiPort));
        try {
            run(env, "start-cluster", 10, "cluster/start-cluster.sh", "--memory", "3g", "2");
            String json = get("http://127.0.0.1:" + uiPort + "/json/");
            assertEquals(2, count(json, "\"state\" : \"ALIVE\""), "two ALIVE workers: " + json);

            String log =
                    run(
                            env,
                            "submit",
                            15,
                            "cluster/spark-submit",
                            "--master",
                            "spark://127.0.0.1:" + masterPort,
                            "--class",
                            "org.kindling.spark.cli.KindlingCli",
                            jar.toString(),
                            "train",
                            "--data",
                            System.getProperty("kindling.shared", root + "/../shared")
                                    + "/datasets",
                            "--limit",
                            "2000",
                            "--epochs",
                            "1",
                            "--workers",
                            "2",
                            "--output",
                            model.toString());

            assertTrue(Files.size(model) > 145_578 * 4, "the model file holds the parameters");
            Matcher m = ACCURACY.matcher(log);
            assertTrue(m.find(), "the job reports its test accuracy:\n" + tail(log));
            double accuracy = Double.parseDouble(m.group(1));
            assertTrue(accuracy > 0 && accuracy <= 100, "accuracy in (0, 100]: " + accuracy);

            // Each worker ran one executor JVM, and each executor logged its ND4J backend once.
            for (String worker : List.of("worker-1", "worker-2")) {
                List<Path> stderr = executorLogs(state.resolve("work").resolve(worker));
                assertEquals(1, stderr.size(), worker + " ran one executor: " + stderr);
                String text = Files.readString(stderr.get(0));
                assertEquals(1, count(text, BACKEND_LINE), "one backend line in " + stderr);
                assertTrue(text.contains(BACKEND_LINE + "CpuBackend"), "CPU backend: " + stderr);
            }
        } finally {
            run(env, "stop-cluster", 2, "cluster/stop-cluster.sh");
        }
        assertTrue(
                Files.notExists(state.resolve("pids").resolve("master.pid")),
                "stop-cluster.sh removed the pid files");
    }

    /**
     * An executor killed with {@code kill -9} mid-training changes nothing: Spark re-runs the lost
     * tasks on a new executor, the lost cached partitions are recomputed identically, and the saved
     * parameters equal a fault-free run's byte for byte.
     */
    @Test
    void anExecutorKilledMidTrainingLeavesTheResultBitIdentical() throws Exception {
        Path jar = jobJar();
        Path dir = out.resolve("executor-loss");
        Files.createDirectories(dir);
        Path state = dir.resolve("state");
        int masterPort = freePort();
        int uiPort = freePort();
        int workerUiPort = freePortPair();
        Map<String, String> env =
                Map.of(
                        "KINDLING_CLUSTER_STATE", state.toString(),
                        "KINDLING_MASTER_PORT", Integer.toString(masterPort),
                        "KINDLING_MASTER_UI_PORT", Integer.toString(uiPort),
                        "KINDLING_WORKER_UI_PORT", Integer.toString(workerUiPort));
        Path faultFree = dir.resolve("fault-free.safetensors");
        Path killed = dir.resolve("killed.safetensors");
        Files.deleteIfExists(faultFree);
        Files.deleteIfExists(killed);
        try {
            run(env, "loss-start-cluster", 10, "cluster/start-cluster.sh", "--memory", "3g", "2");
            run(env, "loss-fault-free", 15, submit(jar, masterPort, faultFree));
            // the same job; once it reports round 20, kill -9 one executor JVM of this cluster
            List<String> cmd = new ArrayList<>(List.of(submit(jar, masterPort, killed)));
            cmd.set(0, root.resolve(cmd.get(0)).toString());
            Path log = out.resolve("loss-killed.log");
            ProcessBuilder pb =
                    new ProcessBuilder(cmd)
                            .directory(root.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile());
            pb.environment().remove("SPARK_HOME");
            pb.environment().putAll(env);
            Process job = pb.start();
            while (!Files.readString(log).contains("round 20/")) {
                assertTrue(
                        job.isAlive(),
                        "the job ended before round 20:\n" + tail(Files.readString(log)));
                Thread.sleep(200);
            }
            ProcessHandle executor =
                    ProcessHandle.allProcesses()
                            .filter(
                                    h ->
                                            h.info()
                                                    .commandLine()
                                                    .orElse("")
                                                    .contains("CoarseGrainedExecutorBackend"))
                            .filter(h -> cwdUnder(h, state))
                            .findFirst()
                            .orElseThrow(
                                    () -> new AssertionError("no executor of this cluster found"));
            executor.destroyForcibly(); // SIGKILL
            assertEquals(
                    0, job.waitFor(), "the job survives the loss:\n" + tail(Files.readString(log)));
            assertTrue(
                    Files.readString(log).contains("Test accuracy"), tail(Files.readString(log)));
            // two workers of a small model exchange in barrier segments; Spark does not retry a
            // failed barrier stage that ends a job, Kindling runs the segment again
            assertTrue(
                    Files.readString(log).contains("exchange               tasks")
                            && Files.readString(log)
                                    .contains(
                                            "lost an executor; running them again from their start"),
                    tail(Files.readString(log)));
        } finally {
            run(env, "loss-stop-cluster", 2, "cluster/stop-cluster.sh");
        }
        assertTrue(
                java.util.Arrays.equals(tensorBytes(faultFree), tensorBytes(killed)),
                "the parameters after the executor loss equal the fault-free run's");
    }

    private String[] submit(Path jar, int masterPort, Path output) {
        return new String[] {
            "cluster/spark-submit",
            "--master",
            "spark://127.0.0.1:" + masterPort,
            "--class",
            "org.kindling.spark.cli.KindlingCli",
            jar.toString(),
            "train",
            "--data",
            System.getProperty("kindling.shared", root + "/../shared") + "/datasets",
            "--limit",
            "4000",
            "--batch-size",
            "16",
            "-k",
            "2",
            "--workers",
            "2",
            "--epochs",
            "1",
            "--save",
            "params",
            "--output",
            output.toString()
        };
    }

    private static boolean cwdUnder(ProcessHandle h, Path dir) {
        try {
            return Files.readSymbolicLink(Paths.get("/proc/" + h.pid() + "/cwd"))
                    .startsWith(dir.toAbsolutePath());
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * The tensor data of a safetensors file (its header holds the run's provenance, which differs).
     */
    private static byte[] tensorBytes(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long header =
                java.nio.ByteBuffer.wrap(all, 0, 8)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .getLong();
        return java.util.Arrays.copyOfRange(all, (int) (8 + header), all.length);
    }

    /** The shaded job jar, which must be newer than every compiled class it should contain. */
    private Path jobJar() throws IOException {
        Path target = root.resolve("spark-job").resolve("target");
        Path jar;
        try (Stream<Path> s = Files.list(target)) {
            jar =
                    s.filter(p -> p.getFileName().toString().endsWith("-job.jar"))
                            .filter(p -> !p.getFileName().toString().endsWith("-cuda-job.jar"))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new AssertionError(
                                                    "no spark-job-*-job.jar in "
                                                            + target
                                                            + "; build it with the dist profile: mvn -Pdist,cluster-it -pl spark-job -am verify"));
        }
        long built = Files.getLastModifiedTime(jar).toMillis();
        try (Stream<Path> s = Files.walk(target.resolve("classes"))) {
            List<Path> newer =
                    s.filter(Files::isRegularFile)
                            .filter(p -> p.toFile().lastModified() > built)
                            .collect(Collectors.toList());
            assertTrue(newer.isEmpty(), jar + " is older than " + newer + "; rebuild with -Pdist");
        }
        return jar;
    }

    /** Runs a script from the repository root; fails with its output unless it exits 0 in time. */
    private String run(Map<String, String> env, String name, int minutes, String... command)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, root.resolve(command[0]).toString());
        Path log = out.resolve(name + ".log");
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .directory(root.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        // failsafe points SPARK_HOME at another test's folder; the scripts build their own
        pb.environment().remove("SPARK_HOME");
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean done = p.waitFor(minutes, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(done, name + " did not finish in " + minutes + " min:\n" + tail(text));
        assertEquals(0, p.exitValue(), name + " failed:\n" + tail(text));
        return text;
    }

    private static List<Path> executorLogs(Path workerDir) throws IOException {
        try (Stream<Path> s = Files.walk(workerDir)) {
            return s.filter(p -> p.getFileName().toString().equals("stderr"))
                    .collect(Collectors.toList());
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(url))
                                        .timeout(Duration.ofSeconds(10))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static String tail(String text) {
        return text.length() <= 6000 ? text : "..." + text.substring(text.length() - 6000);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A port p such that p and p + 1 are free (the two workers' web UIs). */
    private static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p = freePort();
            try (ServerSocket next = new ServerSocket(p + 1)) {
                return p;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no two consecutive free ports found");
    }
}
