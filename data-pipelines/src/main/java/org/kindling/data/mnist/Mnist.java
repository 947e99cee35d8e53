package org.kindling.data.mnist;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.kindling.data.DataHome;
import org.kindling.data.ImageRecord;

/**
 * MNIST (and Fashion-MNIST/KMNIST, same files) from a folder holding {@code
 * train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]}, {@code
 * t10k-images-idx3-ubyte[.gz]}, {@code t10k-labels-idx1-ubyte[.gz]}: 28x28 grayscale, 10 classes.
 * The files are parsed and validated on the driver (they are small), then distributed.
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

    /** Which part of the dataset. */
    public enum Split {
        TRAIN("train"),
        TEST("t10k");

        final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }
    }

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
        Configuration conf = sc.hadoopConfiguration();
        String images = require(dir, split, "images", conf);
        String labels = require(dir, split, "labels", conf);
        Idx.Data data = Idx.read(images, labels, NUM_CLASSES, conf);
        if (data.rows() != 28 || data.cols() != 28) {
            throw new IllegalArgumentException(
                    images
                            + ": images are "
                            + data.rows()
                            + "x"
                            + data.cols()
                            + ", expected 28x28");
        }
        return sc.parallelize(data.records(), partitions);
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
