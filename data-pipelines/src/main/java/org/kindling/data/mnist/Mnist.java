package org.kindling.data.mnist;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.kindling.data.BadInput;
import org.kindling.data.ChannelStatistics;
import org.kindling.data.DataHome;
import org.kindling.data.Download;
import org.kindling.data.ImageRecord;
import org.kindling.data.batch.Normalization;

/**
 * MNIST (and Fashion-MNIST/KMNIST, same files) from a folder holding {@code
 * train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]}, {@code
 * t10k-images-idx3-ubyte[.gz]}, {@code t10k-labels-idx1-ubyte[.gz]}: 28x28 grayscale, 10 classes.
 * The files are read, parsed and validated by one task per split, on an executor, through the
 * Hadoop file system.
 */
public final class Mnist {
    /** Shape of one image [C, H, W]. */
    public static final long[] IMAGE_SHAPE = {1, 28, 28};

    /** Number of classes. */
    public static final int NUM_CLASSES = 10;

    /** Training-set mean of pixels scaled to [0, 1]. */
    public static final float[] TRAIN_MEAN = {0.1307f};

    /** Training-set standard deviation. */
    public static final float[] TRAIN_STD = {0.3081f};

    /**
     * MD5 of the official MNIST training images, decompressed ({@code train-images-idx3-ubyte}):
     * the content, so a re-compressed copy is recognised too.
     */
    static final String TRAIN_IMAGES_MD5 = "6bbc9ace898e44ae57da46a324031adb";

    /**
     * The normalisation for an IDX dataset: MNIST's published statistics ({@link #TRAIN_MEAN},
     * {@link #TRAIN_STD}) if {@code dir} holds the official MNIST training images (recognised by
     * the MD5 of their decompressed bytes), else statistics computed from {@code train} ({@link
     * ChannelStatistics}): Fashion-MNIST, KMNIST or any other IDX set gets its own.
     */
    public static Normalization normalization(
            JavaRDD<ImageRecord> train, String dir, Configuration conf) {
        return isOfficialMnist(dir, conf)
                ? new Normalization(TRAIN_MEAN, TRAIN_STD)
                : ChannelStatistics.of(train, (int) IMAGE_SHAPE[0]);
    }

    /** Whether the training images under {@code dir} are the official MNIST ones. */
    static boolean isOfficialMnist(String dir, Configuration conf) {
        String images = require(dir, Split.TRAIN, "images", conf);
        Path p = new Path(images);
        try (java.io.InputStream raw = p.getFileSystem(conf).open(p);
                java.io.InputStream in =
                        images.endsWith(".gz") ? new java.util.zip.GZIPInputStream(raw) : raw) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("MD5");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return java.util.HexFormat.of().formatHex(md.digest()).equals(TRAIN_IMAGES_MD5);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(
                    "cannot read " + images + ": " + org.kindling.data.Errors.describe(e), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Which part of the dataset. */
    public enum Split {
        TRAIN("train"),
        TEST("t10k");

        final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }
    }

    /** Where the official files are fetched from (torchvision's mirror of the original site). */
    public static final String MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/";

    /** The official files and their MD5s. */
    static final String[][] FILES = {
        {"train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"},
        {"train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"},
        {"t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"},
        {"t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"}
    };

    private Mnist() {}

    /**
     * The MNIST folder for a data home: {@code HOME/mnist}, or {@code HOME} itself.
     *
     * @throws IllegalArgumentException naming where it looked
     */
    public static String locate(String home, Configuration conf) {
        List<String> candidates = List.of(home + "/mnist", home);
        for (String c : candidates) {
            if (file(c, Split.TRAIN, "images", conf) != null) {
                return c;
            }
        }
        java.net.URI uri = new Path(home).toUri();
        if (uri.getScheme() == null || "file".equals(uri.getScheme())) {
            DataHome.requireDownloadTarget(java.nio.file.Paths.get(uri.getPath()), "MNIST");
            java.nio.file.Path dir = java.nio.file.Paths.get(uri.getPath()).resolve("mnist");
            try {
                for (String[] f : FILES) {
                    Download.fetch(MIRROR + f[0], f[1], dir.resolve(f[0]));
                }
                return dir.toString();
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(
                        "MNIST not found in any of "
                                + candidates
                                + " and the download failed: "
                                + org.kindling.data.Errors.describe(e),
                        e);
            }
        }
        throw new IllegalArgumentException(
                "MNIST not found: none of "
                        + candidates
                        + " contains train-images-idx3-ubyte[.gz]; set --data or "
                        + DataHome.ENV
                        + " to its folder");
    }

    /** Reads a split, validated, as an RDD with {@code partitions} partitions. */
    public static JavaRDD<ImageRecord> read(
            JavaSparkContext sc, String dir, Split split, int partitions) {
        return read(sc, dir, split, partitions, BadInput.Policy.FAIL, null);
    }

    /**
     * Reads a split; with {@code SKIP} images whose label is out of range are dropped and counted.
     */
    public static JavaRDD<ImageRecord> read(
            JavaSparkContext sc,
            String dir,
            Split split,
            int partitions,
            BadInput.Policy policy,
            BadInput.Report report) {
        Configuration conf = sc.hadoopConfiguration();
        String images = require(dir, split, "images", conf);
        String labels = require(dir, split, "labels", conf);
        // The files are read and validated by a task, on an executor, through the Hadoop file
        // system (any URI the executors can reach): no records travel from the driver.
        Map<String, String> settings = new HashMap<>();
        conf.forEach(e -> settings.put(e.getKey(), e.getValue()));
        return sc.parallelize(List.of(split.prefix), 1)
                .flatMap(
                        name -> {
                            Configuration c = new Configuration(false);
                            settings.forEach(c::set);
                            Idx.Data data =
                                    Idx.read(images, labels, NUM_CLASSES, c, policy, report);
                            if (data.rows() != 28 || data.cols() != 28) {
                                throw new IllegalArgumentException(
                                        images
                                                + ": images are "
                                                + data.rows()
                                                + "x"
                                                + data.cols()
                                                + ", expected 28x28");
                            }
                            return data.records().iterator();
                        });
    }

    private static String require(String dir, Split split, String kind, Configuration conf) {
        String f = file(dir, split, kind, conf);
        if (f == null) {
            throw new IllegalArgumentException(
                    "MNIST file "
                            + dir
                            + "/"
                            + split.prefix
                            + "-"
                            + kind
                            + "-idx"
                            + (kind.equals("images") ? 3 : 1)
                            + "-ubyte[.gz] does not exist");
        }
        return f;
    }

    private static String file(String dir, Split split, String kind, Configuration conf) {
        String base =
                dir
                        + "/"
                        + split.prefix
                        + "-"
                        + kind
                        + "-idx"
                        + (kind.equals("images") ? 3 : 1)
                        + "-ubyte";
        try {
            for (String c : new String[] {base + ".gz", base}) {
                Path p = new Path(c);
                FileSystem fs = p.getFileSystem(conf);
                if (fs.exists(p)) return c;
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return null;
    }
}
