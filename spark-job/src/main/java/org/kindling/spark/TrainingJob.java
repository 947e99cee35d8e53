package org.kindling.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.kindling.data.DataHome;
import org.kindling.data.Datasets;
import org.kindling.data.ImageDataset;
import org.kindling.data.transforms.RandomCrop;
import org.kindling.data.transforms.RandomHorizontalFlip;
import org.kindling.data.transforms.Transform;
import org.kindling.nn.Module;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.internal.Versions;
import org.kindling.nn.io.ModelArchive;
import org.kindling.nn.io.StateDict;
import org.kindling.nn.training.KindlingBackend;
import org.kindling.nn.training.ModelBackends;
import org.kindling.nn.training.ModelState;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.TrainingListener;
import org.kindling.spark.dl4j.Dl4jBackend;
import org.kindling.spark.io.ModelSource;
import org.kindling.spark.io.ModelStore;

/**
 * One training run from a {@link TrainingConfig}: resolve workers and threads, check the model
 * source, read the data, build the starting {@link ModelState} (with pretrained weights), train
 * with parameter averaging, record provenance and save the model. The command line and the tests
 * run it; it uses the Spark context it is given and leaves it running.
 */
public final class TrainingJob {
    private final JavaSparkContext sc;
    private final TrainingConfig cfg;
    private final PrintStream out;

    /** What a run produced. */
    public record Outcome(
            ModelState model,
            ParameterAveraging.Result result,
            ImageDataset data,
            Map<String, Object> provenance) {}

    public TrainingJob(JavaSparkContext sc, TrainingConfig cfg, PrintStream out) {
        this.sc = sc;
        this.cfg = cfg;
        this.out = out;
    }

    /** The configuration with workers and threads resolved for {@code sc}. */
    public static TrainingConfig resolve(JavaSparkContext sc, TrainingConfig cfg) {
        boolean local = sc.master().startsWith("local");
        int w = cfg.workers() != null ? cfg.workers() : local ? 1 : sc.defaultParallelism();
        int t =
                cfg.threadsPerWorker() != null
                        ? cfg.threadsPerWorker()
                        : local
                                ? Nd4jRuntime.threadsFor(w)
                                : sc.getConf().getInt("spark.task.cpus", 1);
        return cfg.withResources(w, t);
    }

    /** Runs training and saves the model; returns what it produced. */
    public Outcome run(TrainingListener listener) throws IOException {
        TrainingConfig c = resolve(sc, cfg);
        ModelSource source = ModelSource.open(c.modelOrDefault(), sc.hadoopConfiguration());
        if (c.save().equals("dl4j") && source.kind() != ModelSource.Kind.DL4J) {
            throw new IllegalArgumentException(
                    "--save dl4j needs a DL4J model (--model a DL4J zip), but --model is "
                            + c.modelOrDefault());
        }
        if (c.pretrained() != null && source.kind() == ModelSource.Kind.DL4J) {
            throw new IllegalArgumentException(
                    "--pretrained loads Kindling/PyTorch state_dicts by name; a DL4J zip (--model) already carries its weights");
        }
        ImageDataset data = loadData(c);
        ModelState start =
                source.start(
                        data.imageShape(), data.numClasses(), c.optimizer(), c.freeze(), c.seed());
        if (c.pretrained() != null) {
            start = withPretrained(start, c);
        }
        ParameterAveraging.Result r = new ParameterAveraging(sc, c, listener).fit(data, start);
        Map<String, Object> info = provenance(c, data, r);
        save(c, r.model(), info);
        return new Outcome(r.model(), r, data, info);
    }

    private ImageDataset loadData(TrainingConfig c) {
        if (c.dataset().equals("folder") && c.data() == null) {
            throw new IllegalArgumentException(
                    "--dataset folder needs --data ROOT (root/<class>/<images>, or root/train and root/test)");
        }
        String home = c.dataset().equals("folder") ? c.data() : DataHome.resolve(c.data());
        ImageDataset td =
                Datasets.load(
                        sc,
                        new Datasets.Request(
                                c.dataset(),
                                home,
                                c.workers(),
                                c.limit(),
                                c.imageSize(),
                                c.channels(),
                                c.badInput(),
                                c.parquetCache(),
                                c.holdout(),
                                c.seed()));
        if (c.augment()) {
            int size = (int) td.imageShape()[1];
            td =
                    td.withTrainTransform(
                            Transform.compose(
                                    List.of(new RandomCrop(size, 4), new RandomHorizontalFlip())));
        }
        return td;
    }

    private ModelState withPretrained(ModelState start, TrainingConfig c) throws IOException {
        Module m = KindlingBackend.module(start);
        StateDict.LoadResult loaded =
                ModelStore.loadPretrained(m, c.pretrained(), sc.hadoopConfiguration(), c.strict());
        out.println(
                "Loaded pretrained weights from "
                        + c.pretrained()
                        + (c.strict()
                                ? ""
                                : "; missing keys "
                                        + loaded.missingKeys()
                                        + ", unexpected keys "
                                        + loaded.unexpectedKeys()));
        return KindlingBackend.stateOf(m, start.definition(), start.position());
    }

    private Map<String, Object> provenance(
            TrainingConfig c, ImageDataset data, ParameterAveraging.Result r) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("training", c.asMap());
        info.put("model", r.model().definition().name());
        info.put("backend", r.model().definition().backend());
        info.put("data", data.source());
        info.put("epoch_train_loss", r.epochLoss());
        info.put("epoch_test_accuracy", r.testAccuracy());
        info.put("training_seconds", r.seconds());
        info.put("created", Instant.now().toString());
        info.put("kindling_version", Versions.kindling());
        info.put("nd4j_version", Nd4jRuntime.nd4jVersion());
        info.put("nd4j", Nd4jRuntime.describe());
        info.put("java", System.getProperty("java.version"));
        info.put("spark", sc.version());
        return info;
    }

    private void save(TrainingConfig c, ModelState state, Map<String, Object> info)
            throws IOException {
        switch (c.save()) {
            case "whole":
                ModelStore.saveWhole(
                        c.output(), sc.hadoopConfiguration(), new ModelArchive(state, info));
                break;
            case "params":
                {
                    Map<String, String> meta = new LinkedHashMap<>();
                    meta.put("format", "pt");
                    meta.put("architecture", state.definition().name());
                    info.forEach((k, v) -> meta.put(k, String.valueOf(v)));
                    ModelStore.writeAtomically(
                            c.output(),
                            sc.hadoopConfiguration(),
                            o ->
                                    org.kindling.nn.io.SafeTensors.write(
                                            ModelBackends.get(state.definition().backend())
                                                    .stateDict(state),
                                            meta,
                                            o));
                    break;
                }
            case "dl4j":
                ModelStore.writeAtomically(
                        c.output(), sc.hadoopConfiguration(), o -> Dl4jBackend.write(state, o));
                break;
            default:
                throw new AssertionError(c.save());
        }
    }
}
