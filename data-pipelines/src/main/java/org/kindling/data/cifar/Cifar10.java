package org.kindling.data.cifar;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.kindling.data.BadInput;
import org.kindling.data.ImageRecord;

/**
 * CIFAR-10 in its official binary layout: files of 3073-byte records (1 label byte 0-9, then the
 * 1024 red, 1024 green and 1024 blue values of a 32x32 image, row by row), 10,000 records per file;
 * {@code data_batch_1.bin} .. {@code data_batch_5.bin} for training, {@code test_batch.bin} for
 * testing, in a folder {@code cifar-10-batches-bin}.
 */
public final class Cifar10 {

    /** Bytes of one image: 3 x 32 x 32. */
    public static final int IMAGE_BYTES = 3 * 32 * 32;

    /** Bytes of one record: the label byte and the image. */
    public static final int RECORD_BYTES = 1 + IMAGE_BYTES;

    /** Number of classes. */
    public static final int NUM_CLASSES = 10;

    /** Shape of one image, [C, H, W]. */
    public static final long[] IMAGE_SHAPE = {3, 32, 32};

    /** Class names in label order. */
    public static final List<String> CLASSES =
            List.of(
                    "airplane",
                    "automobile",
                    "bird",
                    "cat",
                    "deer",
                    "dog",
                    "frog",
                    "horse",
                    "ship",
                    "truck");

    /** Per-channel mean of the training set (pixels scaled to [0, 1]). */
    public static final float[] TRAIN_MEAN = {0.4914f, 0.4822f, 0.4465f};

    /** Per-channel standard deviation of the training set. */
    public static final float[] TRAIN_STD = {0.2470f, 0.2435f, 0.2616f};

    /** The official archive. */
    public static final String URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";

    /** MD5 of the official archive. */
    public static final String MD5 = "c32a1d4ab5d03f1284b67883e8d87530";

    /** The folder name inside the archive. */
    public static final String FOLDER = "cifar-10-batches-bin";

    /** Which part of the dataset. */
    public enum Split {
        /** The 50,000 training images. */
        TRAIN(
                "data_batch_1.bin",
                "data_batch_2.bin",
                "data_batch_3.bin",
                "data_batch_4.bin",
                "data_batch_5.bin"),
        /** The 10,000 test images. */
        TEST("test_batch.bin");

        private final List<String> files;

        Split(String... files) {
            this.files = List.of(files);
        }

        /** The file names of this split. */
        public List<String> files() {
            return files;
        }
    }

    private Cifar10() {}

    /**
     * Finds the {@code cifar-10-batches-bin} folder for a data home: {@code HOME/cifar10/FOLDER},
     * {@code HOME/FOLDER}, or {@code HOME} itself. If none exists and the home is on the local file
     * system, downloads the official archive into {@code HOME/cifar10}, checks its MD5 and unpacks
     * it.
     *
     * @param home a local path or Hadoop URI
     * @param download whether a missing local dataset may be downloaded
     * @return the folder, as a Hadoop path string
     * @throws IllegalArgumentException naming every place looked at, if the dataset is not found
     */
    public static String locate(String home, Configuration conf, boolean download) {
        return CifarBinary.locate(CifarFormat.CIFAR10, home, conf, download);
    }

    /**
     * Checks that every file of {@code split} exists under {@code dir} and holds whole records.
     *
     * @return the total number of records
     * @throws IllegalArgumentException naming the file, its size and what was expected
     */
    public static long validate(String dir, Split split, Configuration conf) {
        return CifarBinary.validate(CifarFormat.CIFAR10, dir, split == Split.TRAIN, conf);
    }

    /**
     * Reads a split as an RDD of records with Spark's fixed-length binary-record input. Files are
     * validated first; a label byte outside 0-9 fails the job with the file, record and value.
     */
    public static JavaRDD<ImageRecord> read(JavaSparkContext sc, String dir, Split split) {
        return CifarBinary.read(
                sc, CifarFormat.CIFAR10, dir, split == Split.TRAIN, BadInput.Policy.FAIL, null);
    }

    /** Parses one 3073-byte record; {@code source} names the file in errors. */
    public static ImageRecord parse(byte[] record, String source) {
        return CifarBinary.parse(CifarFormat.CIFAR10, record, source);
    }
}
