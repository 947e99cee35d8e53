package org.kindling.spark.ml;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.Params;
import org.kindling.spark.TrainingConfig;

/**
 * The params of {@link KindlingClassifier} and {@link KindlingClassificationModel}, declared once
 * with their docs, validators and defaults (the model carries the settings that made it). The
 * validators apply {@link TrainingConfig}'s rules, so a bad value fails when it is set, with the
 * command line's message prefixed by the param's name.
 */
final class KindlingParams {
    final Param<String> network;
    final IntParam epochs;
    final IntParam batchSize;
    final IntParam averagingFrequency;
    final IntParam numWorkers;
    final Param<String> optimizer;
    final DoubleParam learningRate;
    final DoubleParam momentum;
    final LongParam seed;
    final IntArrayParam imageShape;
    final Param<String> featuresCol;
    final Param<String> labelCol;
    final Param<String> predictionCol;
    final Param<String> probabilityCol;
    final Param<String> rawPredictionCol;

    KindlingParams(Params owner) {
        String o = owner.getClass().getSimpleName();
        network =
                new Param<>(
                        owner,
                        "network",
                        "the network to train: a zoo name (cifarnet, lenet5, ...), the path or Hadoop"
                                + " URI of a Kindling archive (.kindling) or spec JSON, or a DL4J"
                                + " zip",
                        new ParamCheck<String>(
                                o, "network", v -> TrainingConfig.builder().model(v).build()));
        epochs =
                new IntParam(
                        owner,
                        "epochs",
                        "passes over the training data (>= 1)",
                        intCheck(o, "epochs", v -> TrainingConfig.builder().epochs(v).build()));
        batchSize =
                new IntParam(
                        owner,
                        "batchSize",
                        "images per mini-batch on each worker, also per forward pass when scoring"
                                + " (>= 1)",
                        intCheck(
                                o,
                                "batchSize",
                                v -> TrainingConfig.builder().batchSize(v).build()));
        averagingFrequency =
                new IntParam(
                        owner,
                        "averagingFrequency",
                        "mini-batches each worker trains between two parameter averagings (k, >= 1)",
                        intCheck(
                                o,
                                "averagingFrequency",
                                v -> TrainingConfig.builder().averagingFrequency(v).build()));
        numWorkers =
                new IntParam(
                        owner,
                        "numWorkers",
                        "data-parallel workers, one partition each (>= 1; 0 = as the command line: 1"
                                + " in local mode, else Spark's default parallelism)",
                        intCheck(
                                o,
                                "numWorkers",
                                v -> {
                                    if (v != 0) TrainingConfig.builder().workers(v).build();
                                }));
        optimizer =
                new Param<>(
                        owner,
                        "optimizer",
                        "the optimizer as the command line's --optimizer names it",
                        new ParamCheck<String>(
                                o,
                                "optimizer",
                                v -> TrainingConfig.builder().optimizer(v).build()));
        learningRate =
                new DoubleParam(
                        owner,
                        "learningRate",
                        "the optimizer's learning rate (> 0)",
                        doubleCheck(
                                o, "learningRate", v -> TrainingConfig.builder().lr(v).build()));
        momentum =
                new DoubleParam(
                        owner,
                        "momentum",
                        "SGD momentum (>= 0)",
                        doubleCheck(
                                o, "momentum", v -> TrainingConfig.builder().momentum(v).build()));
        seed =
                new LongParam(
                        owner,
                        "seed",
                        "seed of initialisation, Dropout and augmentation",
                        new ParamCheck<Object>(o, "seed", v -> {}));
        imageShape =
                new IntArrayParam(
                        owner,
                        "imageShape",
                        "[channels, height, width] of every image; default: from the data (the"
                                + " first image, or the ImageFrames shape columns)",
                        new ParamCheck<int[]>(o, "imageShape", KindlingParams::checkShape));
        featuresCol =
                new Param<>(
                        owner,
                        "featuresCol",
                        "images: binary CHW bytes (ImageFrames schema) or the struct of Spark's"
                                + " image data source",
                        ParamCheck.column(o, "featuresCol"));
        labelCol =
                new Param<>(
                        owner,
                        "labelCol",
                        "class indices, int or double",
                        ParamCheck.column(o, "labelCol"));
        predictionCol =
                new Param<>(
                        owner,
                        "predictionCol",
                        "output: the predicted class index as a double",
                        ParamCheck.column(o, "predictionCol"));
        probabilityCol =
                new Param<>(
                        owner,
                        "probabilityCol",
                        "output: class probabilities as a vector",
                        ParamCheck.column(o, "probabilityCol"));
        rawPredictionCol =
                new Param<>(
                        owner,
                        "rawPredictionCol",
                        "output: the network's class scores (logits) as a vector",
                        ParamCheck.column(o, "rawPredictionCol"));
    }

    /** The defaults, those of the command line where it has the knob. */
    List<ParamPair<?>> defaults() {
        TrainingConfig d = TrainingConfig.builder().build();
        return List.of(
                network.w("cifarnet"),
                epochs.w(d.epochs()),
                batchSize.w(d.batchSize()),
                averagingFrequency.w(d.averagingFrequency()),
                numWorkers.w(0),
                optimizer.w(d.optimizer().name()),
                learningRate.w(d.optimizer().lr()),
                momentum.w(d.optimizer().momentum()),
                seed.w(d.seed()),
                featuresCol.w("image"),
                labelCol.w("label"),
                predictionCol.w("prediction"),
                probabilityCol.w("probability"),
                rawPredictionCol.w("rawPrediction"));
    }

    /** Every param's value or default, for the log line when {@code fit} starts. */
    static Map<String, Object> values(Params p) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (org.apache.spark.ml.param.Param<?> param : p.params()) {
            Object v = p.get(param).isDefined() ? p.get(param).get() : p.getDefault(param);
            if (v instanceof scala.Option<?> opt) {
                v = opt.isDefined() ? opt.get() : null;
            }
            m.put(param.name(), v instanceof int[] a ? java.util.Arrays.toString(a) : v);
        }
        return m;
    }

    private static void checkShape(int[] s) {
        if (s.length != 3 || s[1] < 1 || s[2] < 1) {
            throw new IllegalArgumentException(
                    "must be [channels, height, width] with height, width >= 1 but was: "
                            + java.util.Arrays.toString(s));
        }
        TrainingConfig.builder().channels(s[0]).build();
    }

    private static ParamCheck<Object> intCheck(
            String owner, String name, ParamCheck.Rule<Integer> rule) {
        return new ParamCheck<>(owner, name, v -> rule.check((Integer) v));
    }

    private static ParamCheck<Object> doubleCheck(
            String owner, String name, ParamCheck.Rule<Double> rule) {
        return new ParamCheck<>(owner, name, v -> rule.check((Double) v));
    }
}
