package org.kindling.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.folder.ImageFolderTest;

/**
 * What {@link Datasets#load} promises at scale: deterministic partitions, images cached in their
 * encoded form and decoded per batch, the limit applied before anything is decoded, skip counts
 * that survive recomputation.
 */
class DatasetsTest {
    final JavaSparkContext sc = LocalSpark.context();
    @TempDir Path tmp;

    /** The shared CIFAR-10 for {@code workers} partitions, the first {@code limit} records. */
    private static Datasets.Request cifar10(int workers, int limit) {
        String home = SharedData.cifar10().getParent().getParent().toString();
        return new Datasets.Request(
                "cifar10", home, workers, limit, 0, 3, BadInput.Policy.FAIL, null, 0.2, 1);
    }

    @Test
    void partitionsDependOnlyOnTheDataAndTheWorkerCountEvenWhenRecomputed() {
        Datasets.Request q = cifar10(3, 300);
        ImageDataset a = Datasets.load(sc, q);
        List<List<ImageRecord>> first = a.train().glom().collect();
        a.train().unpersist(true); // as if an executor had lost every cached block
        List<List<ImageRecord>> recomputed = a.train().glom().collect();
        assertEquals(first, recomputed);
        assertEquals(first, Datasets.load(sc, q).train().glom().collect(), "a second load");
        assertEquals(List.of(100, 100, 100), first.stream().map(List::size).toList());
        // record i of the files is in partition i % 3, in file order
        List<ImageRecord> files =
                org.kindling.data.cifar.Cifar10.read(
                                sc,
                                SharedData.cifar10().toString(),
                                org.kindling.data.cifar.Cifar10.Split.TRAIN)
                        .take(6);
        assertEquals(files.get(0), first.get(0).get(0));
        assertEquals(files.get(4), first.get(1).get(1));
        assertEquals(files.get(5), first.get(2).get(1));
    }

    /** The first record of each cached partition, as the first pass over the cache read it. */
    private static final Map<String, ImageRecord> FIRST_READ =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static String partitionKey(int rddId) {
        return rddId + "/" + org.apache.spark.TaskContext.getPartitionId();
    }

    @Test
    void cachedRecordsAreReadBackAsTheSameObjectsWithoutDeserialisation() {
        ImageDataset d = Datasets.load(sc, cifar10(2, 200));
        for (JavaRDD<ImageRecord> split : List.of(d.train(), d.test())) {
            assertTrue(split.getStorageLevel().useDisk(), "spills: " + split.getStorageLevel());
            int id = split.id();
            // local mode: the tasks run in this JVM, so a cached object read twice is one object
            split.foreachPartition(it -> FIRST_READ.put(partitionKey(id), it.next()));
            List<Boolean> same =
                    split.mapPartitions(
                                    it ->
                                            List.of(it.next() == FIRST_READ.get(partitionKey(id)))
                                                    .iterator())
                            .collect();
            assertEquals(List.of(true, true), same, "split " + split);
        }
    }

    @Test
    void aFolderIsCachedAsItsFilesAndDecodedPerBatch() throws Exception {
        Path root = tmp.resolve("tree");
        for (int i = 0; i < 12; i++) {
            Files.createDirectories(root.resolve("red"));
            Files.createDirectories(root.resolve("blue"));
            ImageFolderTest.image(root.resolve("red/r" + i + ".png"), 40, 30, 0xE01010 + i, "png");
            ImageFolderTest.image(root.resolve("blue/b" + i + ".png"), 40, 30, 0x1010E0 + i, "png");
        }
        ImageDataset d =
                Datasets.load(
                        sc,
                        new Datasets.Request(
                                "folder",
                                root.toString(),
                                2,
                                10,
                                16,
                                3,
                                BadInput.Policy.FAIL,
                                null,
                                0.25,
                                3));
        assertArrayEquals(new long[] {3, 16, 16}, d.imageShape());
        assertEquals(10, d.train().count(), "--limit applies to the stored records");
        ImageRecord stored = d.train().first();
        assertTrue(
                stored.pixels()[1] == 'P' && stored.pixels()[2] == 'N' && stored.pixels()[3] == 'G',
                "the PNG file is cached, not its pixels");
        ImageRecord px = d.pixels(stored);
        assertEquals(3 * 16 * 16, px.pixels().length);
        int red = px.pixel(0);
        int blue = px.pixel(2 * 256);
        assertTrue(
                stored.label() == 1 ? red > 200 && blue < 40 : blue > 200 && red < 40,
                "label " + stored.label() + " red " + red + " blue " + blue);
    }

    @Test
    void anUndecodableImageFailsBeforeTrainingNamingTheFile() throws Exception {
        Path root = tmp.resolve("tree");
        Files.createDirectories(root.resolve("a"));
        Files.createDirectories(root.resolve("b"));
        ImageFolderTest.image(root.resolve("a/ok.png"), 8, 8, 0x808080, "png");
        ImageFolderTest.image(root.resolve("b/ok.png"), 8, 8, 0x404040, "png");
        Files.write(root.resolve("b/broken.jpg"), new byte[] {1, 2, 3, 4, 5});
        Datasets.Request q =
                new Datasets.Request(
                        "folder",
                        root.toString(),
                        1,
                        null,
                        8,
                        3,
                        BadInput.Policy.FAIL,
                        null,
                        0.5,
                        3);
        Exception e = assertThrows(Exception.class, () -> Datasets.load(sc, q));
        Throwable root0 = e;
        while (root0.getCause() != null) root0 = root0.getCause();
        String all = e.getMessage() + " " + root0.getMessage();
        assertTrue(all.contains("broken.jpg cannot be decoded as JPEG, PNG or BMP (5 bytes)"), all);
    }

    @Test
    void anArchiveIsUnpackedIntoTheSharedCacheWhereExecutorsCanReadIt() throws Exception {
        Path archive = tmp.resolve("cifar-10-binary.tar.gz");
        Files.write(
                archive,
                org.kindling.data.cifar.CifarDownloadTest.tarGz(
                        org.kindling.data.cifar.CifarDownloadTest.files()));
        String shared = tmp.resolve("shared-cache").toUri().toString(); // any Hadoop URI
        org.apache.hadoop.conf.Configuration conf = sc.hadoopConfiguration();
        conf.set(DataHome.SHARED_CACHE, shared);
        try {
            ImageDataset d =
                    Datasets.load(sc, Datasets.Request.of("cifar10", archive.toString(), 2));
            assertEquals(15, d.train().count());
            assertEquals(2, d.test().count());
            assertTrue(
                    Files.exists(
                            tmp.resolve(
                                    "shared-cache/cifar10/cifar-10-batches-bin/data_batch_1.bin")),
                    "unpacked under the shared cache");
            assertTrue(d.source().contains("shared-cache"), d.source());
        } finally {
            conf.unset(DataHome.SHARED_CACHE);
        }
        // on a cluster, without a shared cache, the archive is refused with the fix
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Datasets.requireReachable(false, archive.toString(), conf));
        assertTrue(
                e.getMessage().contains("set --conf spark.hadoop.kindling.data.cache="),
                e.getMessage());
        Datasets.requireReachable(true, archive.toString(), conf); // local mode: the local cache
    }

    @Test
    void aSkippedRecordIsCountedOnceWhenSparkRecomputesIt() {
        BadInput.Report report = new BadInput.Report(sc, "recompute");
        JavaRDD<Integer> rdd =
                sc.parallelize(List.of(1, 2, 3, 4), 2)
                        .filter(
                                i -> {
                                    if (i == 3) {
                                        report.skip("file.bin", "record 3 is bad");
                                        return false;
                                    }
                                    return true;
                                });
        assertEquals(3, rdd.count());
        assertEquals(3, rdd.count()); // recomputed: the accumulator sees record 3 again
        assertEquals(Map.of("file.bin", 1L), report.perFile());
    }
}
