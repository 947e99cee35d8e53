package org.kindling.data;

import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.kindling.data.batch.Normalization;
import org.kindling.data.cifar.Cifar10;
import org.kindling.data.cifar.CifarBinary;
import org.kindling.data.cifar.CifarFormat;
import org.kindling.data.folder.EncodedImages;
import org.kindling.data.folder.ImageFolder;
import org.kindling.data.mnist.Mnist;

/** Datasets by name, the one place the command line turns {@code --dataset NAME} into data. */
public final class Datasets {
    /** Known dataset names. */
    public static final List<String> NAMES = List.of("cifar10", "cifar100", "mnist", "folder");

    /** Images sampled (seeded) for the normalisation statistics of a folder dataset. */
    static final long STATISTICS_SAMPLE = 2000;

    private Datasets() {}

    /**
     * What to load.
     *
     * @param name cifar10, mnist or folder
     * @param home data home (cifar10, mnist) or the image tree (folder); local path or Hadoop URI
     * @param partitions training partitions (one per worker)
     * @param limit use only the first {@code limit} training records, or null for all
     * @param imageSize folder: resize images to imageSize x imageSize (0: keep, all must agree)
     * @param channels folder: 3 (RGB) or 1 (grayscale)
     * @param policy what to do with bad records (undecodable images, labels out of range)
     * @param parquetCache folder: read decoded images from / write them to this Parquet path, or
     *     null
     * @param holdout folder without train/ and test/: fraction held out for testing
     * @param seed folder: seed of the hold-out split
     */
    public record Request(
            String name,
            String home,
            int partitions,
            Integer limit,
            int imageSize,
            int channels,
            BadInput.Policy policy,
            String parquetCache,
            double holdout,
            long seed) {
        /** The defaults for a named dataset under {@code home}. */
        public static Request of(String name, String home, int partitions) {
            return new Request(
                    name, home, partitions, null, 0, 3, BadInput.Policy.FAIL, null, 0.2, 42);
        }
    }

    /**
     * Loads a dataset, validates it, and partitions the training set into one partition per worker
     * (both splits cached in memory) deterministically ({@link Partitioning}).
     *
     * @throws IllegalArgumentException for an unknown name or missing/malformed files
     */
    public static ImageDataset load(JavaSparkContext sc, Request q) {
        JavaRDD<ImageRecord> train;
        JavaRDD<ImageRecord> test;
        long[] shape;
        int classes;
        Normalization norm;
        String source;
        RecordDecoder decoder = null;
        switch (q.name()) {
            case "cifar10":
            case "cifar100":
                {
                    boolean ten = q.name().equals("cifar10");
                    CifarFormat f = ten ? CifarFormat.CIFAR10 : CifarFormat.CIFAR100_FINE;
                    BadInput.Report report = new BadInput.Report(sc, q.name());
                    requireReachable(sc.isLocal(), q.home(), sc.hadoopConfiguration());
                    // only local mode downloads: a driver-local download is invisible to executors
                    String dir =
                            CifarBinary.locate(f, q.home(), sc.hadoopConfiguration(), sc.isLocal());
                    // Cached before any action, so each skipped record is counted once.
                    train =
                            CifarBinary.read(sc, f, dir, true, q.policy(), report)
                                    .persist(StorageLevel.MEMORY_ONLY());
                    test =
                            CifarBinary.read(sc, f, dir, false, q.policy(), report)
                                    .persist(StorageLevel.MEMORY_ONLY());
                    shape = Cifar10.IMAGE_SHAPE;
                    classes = f.numClasses();
                    norm =
                            ten
                                    ? new Normalization(Cifar10.TRAIN_MEAN, Cifar10.TRAIN_STD)
                                    : ChannelStatistics.of(train, 3);
                    source = dir + " (test: " + String.join(", ", f.testFiles()) + ")";
                    if (q.policy() == BadInput.Policy.SKIP) {
                        long kept = train.count() + test.count();
                        source +=
                                ", " + kept + " records kept, skipped per file " + report.perFile();
                    }
                    break;
                }
            case "mnist":
                {
                    String dir = Mnist.locate(q.home(), sc.hadoopConfiguration());
                    BadInput.Report report = new BadInput.Report(sc, "mnist");
                    train =
                            Mnist.read(
                                    sc, dir, Mnist.Split.TRAIN, q.partitions(), q.policy(), report);
                    test =
                            Mnist.read(
                                    sc, dir, Mnist.Split.TEST, q.partitions(), q.policy(), report);
                    shape = Mnist.IMAGE_SHAPE;
                    classes = Mnist.NUM_CLASSES;
                    norm = Mnist.normalization(train, dir, sc.hadoopConfiguration());
                    source = dir + " (test: t10k)";
                    if (!report.perFile().isEmpty()) {
                        source += ", skipped per file " + report.perFile();
                    }
                    break;
                }
            case "folder":
                {
                    SparkSession spark = ImageFolder.session(sc);
                    BadInput.Report report = new BadInput.Report(sc, "folder");
                    boolean split =
                            exists(sc, q.home() + "/train") && exists(sc, q.home() + "/test");
                    List<String> names =
                            ImageFolder.classes(
                                    split ? q.home() + "/train" : q.home(),
                                    sc.hadoopConfiguration());
                    classes = names.size();
                    source =
                            q.home()
                                    + " ("
                                    + classes
                                    + " classes "
                                    + names
                                    + (split
                                            ? ", train/ and test/"
                                            : ", " + q.holdout() + " held out")
                                    + ")";
                    if (q.parquetCache() == null) {
                        // cached as the encoded files; decoded per mini-batch inside tasks
                        EncodedImages.Read tr =
                                EncodedImages.read(
                                        spark,
                                        split ? q.home() + "/train" : q.home(),
                                        q.imageSize(),
                                        q.channels(),
                                        q.policy(),
                                        report);
                        shape = tr.shape();
                        train = tr.records();
                        if (split) {
                            EncodedImages.Read te =
                                    EncodedImages.read(
                                            spark,
                                            q.home() + "/test",
                                            q.imageSize(),
                                            q.channels(),
                                            q.policy(),
                                            report);
                            if (!java.util.Arrays.equals(te.shape(), shape)) {
                                throw new IllegalArgumentException(
                                        q.home()
                                                + "/test has images of shape "
                                                + java.util.Arrays.toString(te.shape())
                                                + " but train/ has "
                                                + java.util.Arrays.toString(shape)
                                                + "; give --image-size");
                            }
                            test = te.records();
                        } else {
                            JavaRDD<ImageRecord>[] parts =
                                    train.randomSplit(
                                            new double[] {1 - q.holdout(), q.holdout()}, q.seed());
                            train = parts[0];
                            test = parts[1];
                        }
                        decoder = EncodedImages.decoder(shape);
                        norm =
                                ChannelStatistics.ofSample(
                                        train,
                                        (int) shape[0],
                                        decoder,
                                        STATISTICS_SAMPLE,
                                        q.seed());
                        if (!report.perFile().isEmpty()) {
                            source += ", skipped " + report.perFile();
                        }
                        break;
                    }
                    Dataset<Row> trainDf =
                            folderFrame(
                                    spark,
                                    split ? q.home() + "/train" : q.home(),
                                    q,
                                    report,
                                    "train");
                    Dataset<Row> testDf;
                    if (split) {
                        testDf = folderFrame(spark, q.home() + "/test", q, report, "test");
                    } else {
                        Dataset<Row>[] parts =
                                trainDf.randomSplit(
                                        new double[] {1 - q.holdout(), q.holdout()}, q.seed());
                        trainDf = parts[0];
                        testDf = parts[1];
                    }
                    Row first = trainDf.select("height", "width", "channels").first();
                    shape = new long[] {first.getInt(2), first.getInt(0), first.getInt(1)};
                    train = ImageFrames.toRecords(trainDf, shape);
                    test = ImageFrames.toRecords(testDf, shape);
                    norm =
                            ChannelStatistics.ofSample(
                                    train, (int) shape[0], null, STATISTICS_SAMPLE, q.seed());
                    if (!report.perFile().isEmpty()) {
                        source += ", skipped " + report.perFile();
                    }
                    break;
                }
            default:
                throw new IllegalArgumentException(
                        "unknown dataset '"
                                + q.name()
                                + "'; known datasets: "
                                + String.join(", ", NAMES));
        }
        if (q.limit() != null) {
            source += " (first " + q.limit() + " training records)";
        }
        // Deterministic partitions (by record index): a recomputed partition is the same partition.
        // The shuffle also keeps driver-parallelised records out of every later task's closure.
        // Cached as objects, spilling to disk (serialised) when memory runs out: a dataset larger
        // than memory still trains. A record is a label and one byte array, so the objects take
        // about the memory of their serialised form, and reading them back costs no Java
        // deserialisation (0.95 s for CIFAR-10's training set; docs/PERFORMANCE.md, profile 25).
        train =
                Partitioning.byIndex(train, q.partitions(), q.limit())
                        .persist(StorageLevel.MEMORY_AND_DISK());
        test =
                Partitioning.byIndex(test, q.partitions(), null)
                        .persist(StorageLevel.MEMORY_AND_DISK());
        return new ImageDataset(train, test, shape, classes, norm, source, null, decoder);
    }

    /**
     * On a cluster a dataset archive must be unpacked where executors can read it.
     *
     * @throws IllegalArgumentException naming the archive and the setting that fixes it
     */
    static void requireReachable(
            boolean localMode, String home, org.apache.hadoop.conf.Configuration conf) {
        if (!localMode && home.endsWith(".tar.gz") && conf.get(DataHome.SHARED_CACHE) == null) {
            throw new IllegalArgumentException(
                    "--data "
                            + home
                            + " is an archive; on a cluster it is unpacked where every executor can read it: set --conf spark.hadoop."
                            + DataHome.SHARED_CACHE
                            + "=hdfs:///some/folder (or give --data the unpacked folder)");
        }
    }

    private static Dataset<Row> folderFrame(
            SparkSession spark, String root, Request q, BadInput.Report report, String part) {
        String cache = q.parquetCache() == null ? null : q.parquetCache() + "/" + part;
        if (cache != null
                && exists(JavaSparkContext.fromSparkContext(spark.sparkContext()), cache)) {
            return ImageFrames.readParquet(spark, cache);
        }
        Dataset<Row> df =
                ImageFolder.read(
                        spark,
                        root,
                        q.imageSize(),
                        q.imageSize(),
                        q.channels(),
                        q.policy(),
                        report);
        if (cache != null) {
            ImageFrames.writeParquet(df, cache);
            return ImageFrames.readParquet(spark, cache);
        }
        return df.persist(StorageLevel.MEMORY_ONLY());
    }

    private static boolean exists(JavaSparkContext sc, String path) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(sc.hadoopConfiguration());
            return fs.exists(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(
                    "cannot look at " + path + ": " + Errors.describe(e), e);
        }
    }
}
