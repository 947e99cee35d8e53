package org.kindling.spark.cli;

import com.google.gson.GsonBuilder;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.kindling.data.BadInput;
import org.kindling.data.DataHome;
import org.kindling.data.Datasets;
import org.kindling.data.ImageDataset;
import org.kindling.data.batch.Normalization;
import org.kindling.spark.eval.ClassNames;
import org.kindling.spark.eval.Evaluation;
import org.kindling.spark.eval.SavedModel;
import org.kindling.spark.io.ModelStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kindling evaluate}: a saved model (any format) on a dataset's test split, on Spark: loss,
 * accuracy, per-class accuracy and the confusion matrix, printed and optionally written as JSON.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Evaluate a saved model (.kindling archive, safetensors state_dict, DL4J zip) on the test split of a dataset:",
            "loss, accuracy, per-class accuracy and the confusion matrix, computed on Spark."
        })
public final class EvaluateCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "URI",
            description =
                    "The saved model: a .kindling archive, a safetensors state_dict (with --architecture) or a DL4J zip; any Hadoop URI.")
    String model;

    @Option(
            names = "--architecture",
            paramLabel = "NAME",
            description =
                    "For a safetensors state_dict: the zoo model it belongs to (cifarnet, lenet5, resnet18_cifar, ...).")
    String architecture;

    @Option(
            names = "--dataset",
            defaultValue = "cifar10",
            description = "cifar10, cifar100, mnist or folder (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(
            names = "--data",
            paramLabel = "PATH",
            description =
                    "Data home or dataset folder (local path or Hadoop URI). Default: $KINDLING_DATA, else ~/.cache/kindling/datasets.")
    String data;

    @Option(
            names = "--output",
            paramLabel = "URI",
            description = "Also write the results as JSON here (any Hadoop URI).")
    String output;

    @Option(
            names = "--master",
            description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Override
    public Integer call() throws Exception {
        if (!Datasets.NAMES.contains(dataset)) {
            throw new IllegalArgumentException(
                    "--dataset must be one of " + Datasets.NAMES + " but was: '" + dataset + "'");
        }
        if (dataset.equals("folder") && data == null) {
            throw new IllegalArgumentException("--dataset folder needs --data ROOT");
        }
        PrintStream out = System.out;
        return SparkContexts.with(
                "kindling-evaluate",
                master,
                sc -> {
                    var conf = sc.hadoopConfiguration();
                    SavedModel m;
                    ImageDataset d;
                    if (SavedModel.isDl4j(model, conf)) {
                        d = load(sc, 0, 3);
                        m =
                                SavedModel.load(
                                        model, conf, architecture, d.imageShape(), d.numClasses());
                    } else {
                        m = SavedModel.load(model, conf, architecture, null, null);
                        long[] s = m.inputShape();
                        d = load(sc, (int) s[1], (int) s[0]);
                    }
                    check(m, d);
                    if (d.test() == null) {
                        throw new IllegalArgumentException(
                                "--dataset "
                                        + dataset
                                        + " at "
                                        + d.source()
                                        + " has no test split");
                    }
                    Normalization norm =
                            m.normalization(d.normalization(), "the dataset's statistics", out);
                    List<String> names = m.classNames();
                    if (names == null) {
                        String home = dataset.equals("folder") ? data : null;
                        names = ClassNames.of(dataset, home, conf);
                        if (names != null && names.size() != m.classes()) names = null;
                    }
                    Evaluation e = Evaluation.of(sc, d.test(), d.decoder(), m.state(), norm);
                    out.println("Model " + model + " (" + m + ") on " + d.source() + ":");
                    out.print(e.format(names));
                    if (output != null) {
                        Map<String, Object> json = new LinkedHashMap<>();
                        json.put("model", model);
                        json.put("format", m.format());
                        json.put("dataset", dataset);
                        json.put("data", d.source());
                        json.put("normalization", SavedModel.provenanceOf(norm));
                        json.putAll(e.asMap(names));
                        byte[] text =
                                new GsonBuilder()
                                        .setPrettyPrinting()
                                        .serializeNulls()
                                        .serializeSpecialFloatingPointValues()
                                        .create()
                                        .toJson(json)
                                        .getBytes(StandardCharsets.UTF_8);
                        ModelStore.writeAtomically(output, conf, o -> o.write(text));
                        out.println("Results written to " + output);
                    }
                    return 0;
                });
    }

    private ImageDataset load(JavaSparkContext sc, int size, int channels) {
        String home = dataset.equals("folder") ? data : DataHome.resolve(data);
        return Datasets.load(
                sc,
                new Datasets.Request(
                        dataset,
                        home,
                        sc.defaultParallelism(),
                        null,
                        dataset.equals("folder") ? size : 0,
                        channels,
                        BadInput.Policy.FAIL,
                        null,
                        0.2,
                        42));
    }

    private void check(SavedModel m, ImageDataset d) {
        if (m.classes() != d.numClasses()) {
            throw new IllegalArgumentException(
                    "--model "
                            + model
                            + " predicts "
                            + m.classes()
                            + " classes but --dataset "
                            + dataset
                            + " has "
                            + d.numClasses());
        }
        if (!Arrays.equals(m.inputShape(), d.imageShape())) {
            throw new IllegalArgumentException(
                    "--model "
                            + model
                            + " takes images of shape "
                            + Arrays.toString(m.inputShape())
                            + " but --dataset "
                            + dataset
                            + " has "
                            + Arrays.toString(d.imageShape()));
        }
    }
}
