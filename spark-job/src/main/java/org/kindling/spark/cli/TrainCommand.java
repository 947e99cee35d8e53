package org.kindling.spark.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.kindling.data.BadInput;
import org.kindling.data.DataHome;
import org.kindling.data.Datasets;
import org.kindling.data.ImageDataset;
import org.kindling.data.transforms.RandomCrop;
import org.kindling.data.transforms.RandomHorizontalFlip;
import org.kindling.data.transforms.Transform;
import org.kindling.nn.Init;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.io.ModelArchive;
import org.kindling.nn.io.StateDict;
import org.kindling.nn.training.Trainer;
import org.kindling.spark.TrainingConfig;
import org.kindling.spark.averaging.ConsoleProgress;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.Workers;
import org.kindling.spark.io.ModelStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kindling train}: trains a zoo network on an image dataset with parameter averaging on
 * Spark.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train a network on CIFAR-10 or MNIST with synchronous parameter averaging on Spark.",
            "Each round every worker trains k mini-batches of its partition from the broadcast model;",
            "the driver averages parameters and optimizer state. Test accuracy is printed after each epoch."
        })
public final class TrainCommand implements Callable<Integer> {

    @Option(
            names = "--data",
            paramLabel = "PATH",
            description =
                    "Data home or dataset folder (local path or Hadoop URI). Default: $KINDLING_DATA, else ~/.cache/kindling/datasets (CIFAR-10 is downloaded there if missing).")
    String data;

    @Option(
            names = "--dataset",
            defaultValue = "cifar10",
            description =
                    "cifar10, cifar100 (fine labels), mnist (also Fashion-MNIST/KMNIST files) or folder (an image tree root/<class>/<image>) (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(
            names = "--model",
            description =
                    "Architecture from the zoo: cifarnet, tudui, lenet5 (default: cifarnet for cifar10, lenet5 for mnist).")
    String model;

    @Option(
            names = "--epochs",
            defaultValue = "1",
            description = "Passes over the training set (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--batch-size",
            defaultValue = "64",
            description = "Mini-batch size per worker (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = {"-k", "--averaging-frequency"},
            defaultValue = "4",
            description =
                    "Mini-batches each worker trains between averagings (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(
            names = "--workers",
            description =
                    "Number of partitions trained in parallel (default: 1 in local mode, else Spark's default parallelism).")
    Integer workers;

    @Option(
            names = "--threads-per-worker",
            description =
                    "ND4J threads per task (default: cores / workers in local mode, else spark.task.cpus).")
    Integer threads;

    @Option(
            names = "--lr",
            defaultValue = "0.01",
            description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(
            names = "--momentum",
            defaultValue = "0",
            description = "Momentum of sgd and rmsprop (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(
            names = "--optimizer",
            defaultValue = "sgd",
            description =
                    "sgd, adam, adamw, rmsprop, adagrad or adadelta, with PyTorch's defaults (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(
            names = "--freeze",
            paramLabel = "PREFIX",
            description =
                    "Freeze (requires_grad=False) every parameter whose name starts with PREFIX, e.g. 'features.'; repeatable.")
    List<String> freeze = new ArrayList<>();

    @Option(
            names = "--pretrained",
            paramLabel = "URI",
            description =
                    "Start from these weights: a state_dict (.safetensors) or a whole model archive, any Hadoop URI; loaded by name.")
    String pretrained;

    @Option(
            names = "--strict",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "With --pretrained: fail on missing or unexpected keys (default); --no-strict reports them like load_state_dict(strict=False).")
    boolean strict;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed of initialisation and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--master",
            description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Option(
            names = "--output",
            defaultValue = "runs/cifarnet.kindling",
            paramLabel = "URI",
            description = "Where to write the model (any Hadoop URI; default: ${DEFAULT-VALUE}).")
    String output;

    @Option(
            names = "--save",
            defaultValue = "whole",
            paramLabel = "whole|params",
            description =
                    "whole: architecture + parameters + optimizer state + provenance (zip); params: state_dict as safetensors (default: ${DEFAULT-VALUE}).")
    String save;

    @Option(
            names = "--image-size",
            defaultValue = "0",
            description =
                    "folder: resize images to SIZE x SIZE (0 = keep; then all images must have one size).")
    int imageSize;

    @Option(
            names = "--channels",
            defaultValue = "3",
            description = "folder: 3 (RGB) or 1 (grayscale) (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(
            names = "--bad-input",
            defaultValue = "fail",
            paramLabel = "fail|skip",
            description =
                    "fail on a bad record (undecodable image, label out of range; the default), or skip it and report the count per file.")
    String badInput;

    @Option(
            names = "--parquet-cache",
            paramLabel = "URI",
            description =
                    "folder: keep decoded images as Parquet here and reuse them in later runs.")
    String parquetCache;

    @Option(
            names = "--holdout",
            defaultValue = "0.2",
            description =
                    "folder without train/ and test/: fraction held out for testing (default: ${DEFAULT-VALUE}).")
    double holdout;

    @Option(
            names = "--reshuffle",
            description =
                    "Move the training records to new random partitions (seeded) before every epoch after the first.")
    boolean reshuffle;

    @Option(
            names = "--augment",
            description =
                    "Augment training images with RandomCrop(size, padding=4) and RandomHorizontalFlip(), seeded per epoch and partition.")
    boolean augment;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Use only the first N training records (quick runs).")
    Integer limit;

    @Override
    public Integer call() throws Exception {
        if (!save.equals("whole") && !save.equals("params")) {
            throw new IllegalArgumentException(
                    "--save must be 'whole' or 'params' but was: '" + save + "'");
        }
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("--limit must be >= 1 but was: " + limit);
        }
        PrintStream out = System.out;
        SparkConf conf = new SparkConf().setAppName("kindling-train");
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        String arch =
                model != null
                        ? model
                        : dataset.equals("mnist") || (dataset.equals("folder") && channels == 1)
                                ? "lenet5"
                                : "cifarnet";
        // Reuse a running context (a notebook's, or a test's) and leave it running; else own one.
        long requested = System.currentTimeMillis();
        SparkContext context = SparkContext.getOrCreate(conf);
        boolean owned = context.startTime() >= requested;
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(context);
        try {
            if (owned) {
                sc.setLogLevel("WARN");
            }
            boolean local = sc.master().startsWith("local");
            int w = workers != null ? workers : local ? 1 : sc.defaultParallelism();
            int t =
                    threads != null
                            ? threads
                            : local ? Nd4jRuntime.threadsFor(w) : conf.getInt("spark.task.cpus", 1);
            String home = dataset.equals("folder") && data == null ? null : DataHome.resolve(data);
            if (home == null) {
                throw new IllegalArgumentException(
                        "--dataset folder needs --data ROOT (root/<class>/<images>, or root/train and root/test)");
            }
            ImageDataset td =
                    Datasets.load(
                            sc,
                            new Datasets.Request(
                                    dataset,
                                    home,
                                    w,
                                    limit,
                                    imageSize,
                                    channels,
                                    BadInput.Policy.parse(badInput),
                                    parquetCache,
                                    holdout,
                                    seed));
            if (augment) {
                int size = (int) td.imageShape()[1];
                td =
                        td.withTrainTransform(
                                Transform.compose(
                                        List.of(
                                                new RandomCrop(size, 4),
                                                new RandomHorizontalFlip())));
            }
            TrainingConfig cfg =
                    new TrainingConfig(
                            arch,
                            td.numClasses(),
                            epochs,
                            batchSize,
                            k,
                            w,
                            optimizer,
                            lr,
                            momentum,
                            seed,
                            t,
                            freeze,
                            reshuffle);
            Init.manualSeed(seed);
            Trainer start = Workers.newTrainer(cfg);
            if (pretrained != null) {
                StateDict.LoadResult loaded =
                        ModelStore.loadPretrained(
                                start.model(), pretrained, sc.hadoopConfiguration(), strict);
                out.println(
                        "Loaded pretrained weights from "
                                + pretrained
                                + (strict
                                        ? ""
                                        : "; missing keys "
                                                + loaded.missingKeys()
                                                + ", unexpected keys "
                                                + loaded.unexpectedKeys()));
            }
            ParameterAveraging pa = new ParameterAveraging(sc, cfg, new ConsoleProgress(out, 10));
            ParameterAveraging.Result r = pa.fit(td, start);

            Map<String, Object> info = new LinkedHashMap<>();
            info.put("training", cfg.asMap());
            info.put("dataset", dataset);
            info.put("data", td.source());
            info.put("epoch_train_loss", r.epochLoss());
            info.put("epoch_test_accuracy", r.testAccuracy());
            info.put("training_seconds", r.seconds());
            info.put("created", Instant.now().toString());
            info.put("kindling_version", "0.1.0");
            info.put("nd4j_version", Nd4jRuntime.nd4jVersion());
            info.put("nd4j", Nd4jRuntime.describe());
            info.put("java", System.getProperty("java.version"));
            info.put("spark", sc.version());
            if (save.equals("whole")) {
                ModelStore.saveWhole(
                        output,
                        sc.hadoopConfiguration(),
                        new ModelArchive(
                                arch,
                                cfg.numClasses(),
                                r.model().model(),
                                r.model().optimizer().state(),
                                info));
            } else {
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("format", "pt");
                meta.put("architecture", arch);
                info.forEach((key, v) -> meta.put(key, String.valueOf(v)));
                ModelStore.saveParameters(
                        output, sc.hadoopConfiguration(), r.model().model(), meta);
            }
            out.printf(
                    "Finished %d epoch(s) in %.1f s. Test accuracy %.2f%% on %s. Model (%s) written to %s%n",
                    epochs, r.seconds(), 100 * r.finalAccuracy(), td.source(), save, output);
        } finally {
            if (owned) {
                sc.stop();
            }
        }
        return 0;
    }
}
