package org.kindling.spark.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.kindling.data.batch.Normalization;
import org.kindling.spark.eval.Predictions;
import org.kindling.spark.eval.SavedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kindling predict}: class predictions with probabilities for an image file or a folder of
 * images, computed on Spark and written as CSV or Parquet ({@link Predictions}).
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Predict the class of every image (an image file, or JPEG/PNG/BMP files under a folder) with a saved model, on Spark.",
            "Writes path, prediction, class_name and p_0..p_<n-1> (class probabilities) as CSV or Parquet."
        })
public final class PredictCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "URI",
            description =
                    "The saved model: a .kindling archive, a safetensors state_dict (with --architecture) or a DL4J zip (with --input-shape and --classes); any Hadoop URI.")
    String model;

    @Option(
            names = "--architecture",
            paramLabel = "NAME",
            description =
                    "For a safetensors state_dict: the zoo model it belongs to (cifarnet, lenet5, resnet18_cifar, ...).")
    String architecture;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "PATH",
            description = "An image file or a folder (searched at any depth); any Hadoop URI.")
    String input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "URI",
            description =
                    "Where to write the predictions: a name ending in .csv (with a header) or .parquet; Spark writes it as a folder of part files, replacing an existing one.")
    String output;

    @Option(
            names = "--input-shape",
            paramLabel = "C,H,W",
            split = ",",
            description = "For a DL4J zip: the shape of one input image, e.g. 3,32,32.")
    long[] inputShape;

    @Option(
            names = "--classes",
            paramLabel = "N",
            description = "For a DL4J zip: the number of classes.")
    Integer classes;

    @Option(
            names = "--master",
            description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Override
    public Integer call() throws Exception {
        String format = format(output);
        if (inputShape != null && inputShape.length != 3) {
            throw new IllegalArgumentException(
                    "--input-shape must be C,H,W (three numbers) but was: "
                            + java.util.Arrays.toString(inputShape));
        }
        PrintStream out = System.out;
        return SparkContexts.with(
                "kindling-predict",
                master,
                sc -> {
                    SavedModel m =
                            SavedModel.load(
                                    model,
                                    sc.hadoopConfiguration(),
                                    architecture,
                                    inputShape,
                                    classes);
                    int channels = (int) m.inputShape()[0];
                    Normalization norm =
                            m.normalization(
                                    SavedModel.published(channels),
                                    channels == 1
                                            ? "MNIST's published statistics"
                                            : "CIFAR-10's published statistics",
                                    out);
                    Dataset<Row> p = Predictions.of(sc, input, m.state(), norm, m.classNames());
                    var w = p.write().mode("overwrite");
                    if (format.equals("csv")) {
                        w.option("header", "true").csv(output);
                    } else {
                        w.parquet(output);
                    }
                    long n = written(sc, output, format);
                    out.println(
                            "Predicted " + n + " image(s) with " + m + "; written to " + output);
                    return 0;
                });
    }

    /** csv or parquet, from the name. */
    static String format(String output) {
        String lower = output.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".csv")) return "csv";
        if (lower.endsWith(".parquet")) return "parquet";
        throw new IllegalArgumentException(
                "--output must end in .csv or .parquet but was: '" + output + "'");
    }

    /** Rows written (read back, so the count is what the files hold). */
    private static long written(
            org.apache.spark.api.java.JavaSparkContext sc, String uri, String format) {
        var spark = org.kindling.data.folder.ImageFolder.session(sc);
        return format.equals("csv")
                ? spark.read().option("header", "true").csv(uri).count()
                : spark.read().parquet(uri).count();
    }
}
