package org.kindling.data;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.kindling.data.batch.Normalization;
import org.kindling.data.cifar.Cifar10;
import org.kindling.data.mnist.Mnist;

/** Datasets by name, the one place the command line turns {@code --dataset NAME} into data. */
public final class Datasets {
    /** Known dataset names. */
    public static final List<String> NAMES = List.of("cifar10", "mnist");

    private Datasets() {}

    /**
     * Loads a dataset from a data home, validates it, and partitions the training set into {@code
     * partitions} partitions (both splits cached in memory).
     *
     * @param limit use only the first {@code limit} training records, or null for all
     * @throws IllegalArgumentException for an unknown name or missing/malformed files
     */
    public static ImageDataset load(
            JavaSparkContext sc, String name, String home, int partitions, Integer limit) {
        JavaRDD<ImageRecord> train;
        JavaRDD<ImageRecord> test;
        long[] shape;
        int classes;
        Normalization norm;
        String source;
        switch (name) {
            case "cifar10":
                {
                    String dir = Cifar10.locate(home, sc.hadoopConfiguration(), true);
                    train = Cifar10.read(sc, dir, Cifar10.Split.TRAIN);
                    test = Cifar10.read(sc, dir, Cifar10.Split.TEST);
                    shape = Cifar10.IMAGE_SHAPE;
                    classes = Cifar10.NUM_CLASSES;
                    norm = new Normalization(Cifar10.TRAIN_MEAN, Cifar10.TRAIN_STD);
                    source = dir + " (test: test_batch.bin)";
                    break;
                }
            case "mnist":
                {
                    String dir = Mnist.locate(home, sc.hadoopConfiguration());
                    train = Mnist.read(sc, dir, Mnist.Split.TRAIN, partitions);
                    test = Mnist.read(sc, dir, Mnist.Split.TEST, partitions);
                    shape = Mnist.IMAGE_SHAPE;
                    classes = Mnist.NUM_CLASSES;
                    norm = new Normalization(Mnist.TRAIN_MEAN, Mnist.TRAIN_STD);
                    source = dir + " (test: t10k)";
                    break;
                }
            default:
                throw new IllegalArgumentException(
                        "unknown dataset '"
                                + name
                                + "'; known datasets: "
                                + String.join(", ", NAMES));
        }
        if (limit != null) {
            train = sc.parallelize(train.take(limit), partitions);
            source += " (first " + limit + " training records)";
        }
        // Repartitioning also keeps driver-parallelised records out of every later task's closure.
        train = train.repartition(partitions).persist(StorageLevel.MEMORY_ONLY());
        test = test.repartition(partitions).persist(StorageLevel.MEMORY_ONLY());
        return new ImageDataset(train, test, shape, classes, norm, source);
    }
}
