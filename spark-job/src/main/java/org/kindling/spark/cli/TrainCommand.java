package org.kindling.spark.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.kindling.spark.TrainingConfig;
import org.kindling.spark.TrainingJob;
import org.kindling.spark.averaging.ConsoleProgress;
import org.kindling.spark.averaging.TrainingListener;
import org.kindling.spark.report.HtmlReport;
import org.kindling.spark.report.MetricsLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kindling train}: parses the options into a {@link TrainingConfig} and runs a {@link
 * TrainingJob} (any network: zoo, Kindling archive or spec, DL4J zip) on Spark.
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
            paramLabel = "NAME|URI",
            description =
                    "The network: a zoo name (cifarnet, tudui, lenet5, alexnet, vgg11, vgg16, resnet18, resnet34, resnet50, resnet18_cifar), "
                            + "or a path/Hadoop URI of a Kindling archive (.kindling: architecture and weights), a spec JSON file (module tree or model definition), "
                            + "or a DL4J ModelSerializer zip (MultiLayerNetwork, trained by the DL4J backend). Default: cifarnet, lenet5 for 1-channel data.")
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
            paramLabel = "whole|params|dl4j",
            description =
                    "whole: architecture + parameters + optimizer state + position + provenance (zip); params: state_dict as safetensors; dl4j: a DL4J ModelSerializer zip (DL4J models) (default: ${DEFAULT-VALUE}).")
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

    @Option(
            names = "--rounds",
            paramLabel = "N",
            description =
                    "Stop after N averaging rounds in all (smoke tests, benchmarks); a run stopped mid-epoch is not evaluated.")
    Integer rounds;

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "URI",
            description =
                    "Write checkpoints (the whole model state and position) to this folder, any Hadoop URI: at each epoch end and every --checkpoint-every rounds.")
    String checkpointDir;

    @Option(
            names = "--checkpoint-every",
            paramLabel = "N",
            description = "Also checkpoint every N rounds (default: at epoch ends only).")
    Integer checkpointEvery;

    @Option(
            names = "--keep-checkpoints",
            defaultValue = "3",
            paramLabel = "K",
            description = "Keep the newest K checkpoints (default: ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    @Option(
            names = "--resume",
            description =
                    "Continue from the newest readable checkpoint in --checkpoint-dir (falling back past corrupt ones); the other options must match the run that wrote it.")
    boolean resume;

    @Option(
            names = "--average-optimizer-state",
            defaultValue = "true",
            paramLabel = "true|false",
            arity = "1",
            description =
                    "Average the optimizer state (momentum, Adam moments) with the parameters every round (default: ${DEFAULT-VALUE}); false keeps each worker's own state on its executor and sends only parameters (then an executor loss or --resume restarts that state, see README 'Long runs').")
    boolean averageOptimizerState;

    @Option(
            names = "--exchange",
            defaultValue = "auto",
            paramLabel = "auto|tasks|shuffle",
            description =
                    "How the workers' models meet after each round (default: ${DEFAULT-VALUE}): tasks trains up to 32 rounds per Spark job and the workers average among themselves through the driver (a barrier stage; workers^2 x model <= 64 MiB, a slot per worker); shuffle runs one Spark job per round with a sharded reduce (any model size); auto picks tasks where it applies. Both give the same bits.")
    String exchange;

    @Option(
            names = "--report",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Write an HTML report (loss and accuracy per epoch, per-class accuracy, confusion matrix, configuration, provenance) to OUTPUT.report.html (default); --no-report skips it.")
    boolean report;

    /** The configuration these options describe (validated). */
    TrainingConfig config() {
        return TrainingConfig.builder()
                .model(model)
                .dataset(dataset)
                .data(data)
                .limit(limit)
                .imageSize(imageSize)
                .channels(channels)
                .badInput(badInput)
                .parquetCache(parquetCache)
                .holdout(holdout)
                .augment(augment)
                .reshuffle(reshuffle)
                .epochs(epochs)
                .rounds(rounds)
                .batchSize(batchSize)
                .averagingFrequency(k)
                .workers(workers)
                .threadsPerWorker(threads)
                .optimizer(optimizer)
                .lr(lr)
                .momentum(momentum)
                .seed(seed)
                .freeze(freeze)
                .pretrained(pretrained)
                .strict(strict)
                .output(output)
                .save(save)
                .master(master)
                .checkpointDir(checkpointDir)
                .checkpointEvery(checkpointEvery)
                .keepCheckpoints(keepCheckpoints)
                .resume(resume)
                .averageOptimizerState(averageOptimizerState)
                .exchange(exchange)
                .build();
    }

    @Override
    public Integer call() throws Exception {
        TrainingConfig cfg = config(); // every option is checked before Spark starts
        PrintStream out = System.out;
        SparkConf conf = new SparkConf().setAppName("kindling-train");
        if (cfg.master() != null) {
            conf.setMaster(cfg.master());
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        // Java serialization keeps every object a stream wrote reachable until the stream resets
        // (by default every 100 objects), so a task would hold all its model shards on the heap
        // at once: reset after each one.
        conf.setIfMissing("spark.serializer.objectStreamReset", "1");
        // Reuse a running context (a notebook's, or a test's) and leave it running; else own one.
        long requested = System.currentTimeMillis();
        SparkContext context = SparkContext.getOrCreate(conf);
        boolean owned = context.startTime() >= requested;
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(context);
        try {
            if (owned) {
                sc.setLogLevel("WARN");
            }
            MetricsLog metrics =
                    new MetricsLog(MetricsLog.pathFor(cfg.output()), sc.hadoopConfiguration());
            TrainingJob.Outcome o =
                    new TrainingJob(sc, cfg, out)
                            .run(TrainingListener.all(ConsoleProgress.forStdout(10), metrics));
            out.printf(
                    "Finished %d epoch(s) in %.1f s. Test accuracy %.2f%% on %s. Model (%s) written to %s%n",
                    cfg.epochs(),
                    o.result().seconds(),
                    100 * o.result().finalAccuracy(),
                    o.data().source(),
                    cfg.save(),
                    cfg.output());
            out.println("Metrics (JSON lines) written to " + metrics.uri());
            if (report) {
                String uri = HtmlReport.pathFor(cfg.output());
                HtmlReport.of(sc, cfg, o).write(uri, sc.hadoopConfiguration());
                out.println("Report written to " + uri);
            }
        } finally {
            if (owned) {
                sc.stop();
            }
        }
        return 0;
    }
}
