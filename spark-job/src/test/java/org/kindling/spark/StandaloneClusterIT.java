package org.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;
import org.kindling.data.cifar.Cifar10;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.TrainingListener;

/**
 * Parameter averaging on a real multi-JVM Spark cluster: Spark's {@code local-cluster[2,1,1536]}
 * master starts a standalone Master and Worker and two executor JVMs, which load Kindling and ND4J
 * from the build's jars. The result must equal the same run in local mode.
 */
class StandaloneClusterIT {

    @Test
    void twoExecutorJvmsTrainTheSameModelAsLocalMode() throws Exception {
        Path target = Paths.get("target").toAbsolutePath();
        Path lib = target.resolve("lib");
        assertTrue(
                Files.isDirectory(lib), "run after 'package': " + lib + " holds the runtime jars");
        // A SPARK_HOME whose jars/ is the build's runtime classpath, as an installed Spark would
        // be.
        Path home = target.resolve("spark-home");
        Files.createDirectories(home);
        Path jars = home.resolve("jars");
        if (!Files.exists(jars)) {
            Files.createSymbolicLink(jars, lib);
        }
        String appJars;
        try (Stream<Path> s = Files.list(target)) {
            appJars =
                    s.filter(p -> p.getFileName().toString().matches("spark-job-.*\\.jar"))
                            .filter(p -> !p.getFileName().toString().endsWith("-job.jar"))
                            .map(Path::toString)
                            .collect(Collectors.joining(File.pathSeparator));
        }
        // the test's own classes (lambdas and fixtures used on executors)
        appJars += File.pathSeparator + target.resolve("test-classes");
        String opens = System.getProperty("kindling.opens", "");
        SparkConf conf =
                new SparkConf()
                        .setMaster("local-cluster[2,1,1536]")
                        .setAppName("kindling-cluster-it")
                        .set("spark.home", home.toString())
                        .set("spark.ui.enabled", "false")
                        .set("spark.driver.host", "127.0.0.1")
                        .set("spark.executor.memory", "1g")
                        .set("spark.executor.extraClassPath", appJars)
                        .set("spark.executor.extraJavaOptions", opens)
                        .set("spark.executorEnv.SPARK_LOCAL_IP", "127.0.0.1")
                        // the launcher otherwise looks for a Spark source build to learn the Scala
                        // version
                        .set("spark.executorEnv.SPARK_SCALA_VERSION", "2.12");
        TrainingConfig cfg =
                TrainingConfig.builder()
                        .batchSize(8)
                        .averagingFrequency(2)
                        .workers(2)
                        .lr(0.05)
                        .momentum(0.9)
                        .seed(5L)
                        .threadsPerWorker(1)
                        .build();
        List<ImageRecord> recs = Fixtures.records(64, 9);
        float[] clusterParams;
        org.kindling.data.ImageRecord mnistFirst;
        long executors;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            // Executors register asynchronously; wait (up to 2 minutes) so both get a task.
            for (int i = 0; i < 240 && sc.sc().getExecutorMemoryStatus().size() < 3; i++) {
                Thread.sleep(500);
            }
            JavaRDD<ImageRecord> rdd = sc.parallelize(recs, 2);
            ParameterAveraging.Result r = Fixtures.fit(sc, cfg, rdd, null);
            clusterParams = r.model().parameters();
            // MNIST's IDX files are read by the executors themselves (no driver-side parsing)
            org.kindling.data.ImageDataset mnist =
                    org.kindling.data.Datasets.load(
                            sc,
                            org.kindling.data.Datasets.Request.of(
                                    "mnist",
                                    org.kindling.data.SharedData.mnist().getParent().toString(),
                                    2));
            assertEquals(60_000, mnist.train().count());
            assertEquals(10_000, mnist.test().count());
            mnistFirst = mnist.train().first();
            // a dataset archive is unpacked into the shared cache, and the executors read it there
            Path archive = target.resolve("cluster-it-cifar.tar.gz");
            Files.write(
                    archive,
                    org.kindling.data.cifar.CifarDownloadTest.tarGz(
                            org.kindling.data.cifar.CifarDownloadTest.files()));
            Path shared = Files.createTempDirectory(target, "shared-cache");
            sc.hadoopConfiguration()
                    .set(org.kindling.data.DataHome.SHARED_CACHE, shared.toUri().toString());
            org.kindling.data.ImageDataset fromArchive =
                    org.kindling.data.Datasets.load(
                            sc,
                            org.kindling.data.Datasets.Request.of(
                                    "cifar10", archive.toString(), 2));
            assertEquals(15, fromArchive.train().count());
            assertEquals(2, fromArchive.test().count());
            executors =
                    rdd.mapPartitions(
                                    it ->
                                            List.of(
                                                            java.lang.management.ManagementFactory
                                                                    .getRuntimeMXBean()
                                                                    .getName())
                                                    .iterator())
                            .distinct()
                            .count();
        }
        assertEquals(2, executors, "the two partitions ran in two executor JVMs");

        JavaSparkContext local = LocalSpark.context();
        ParameterAveraging.Result l =
                new ParameterAveraging(local, cfg, new TrainingListener() {})
                        .fit(
                                new ImageDataset(
                                        local.parallelize(recs, 2),
                                        null,
                                        Cifar10.IMAGE_SHAPE,
                                        10,
                                        Fixtures.norm(),
                                        "fixture"),
                                Fixtures.start(cfg));
        assertArrayEquals(l.model().parameters(), clusterParams);
        assertEquals(
                org.kindling.data.Datasets.load(
                                local,
                                org.kindling.data.Datasets.Request.of(
                                        "mnist",
                                        org.kindling.data.SharedData.mnist().getParent().toString(),
                                        2))
                        .train()
                        .first(),
                mnistFirst,
                "the cluster read the same records as local mode");
    }
}
