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
import org.kindling.spark.eval.ClassNames;
import org.kindling.spark.eval.SavedModel;
import org.kindling.spark.io.Checkpoints;
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
        Checkpoints checkpoints =
                c.checkpointDir() == null
                        ? null
                        : new Checkpoints(
                                c.checkpointDir(), sc.hadoopConfiguration(), c.keepCheckpoints());
        Map<String, Object> fingerprint = c.fingerprint(data.source());
        ModelState start;
        if (c.resume()) {
            Checkpoints.Found found = checkpoints.newest(fingerprint, out);
            // the same optimizer (the fingerprint says so), possibly with a new learning rate
            start =
                    found.state()
                            .withDefinition(
                                    found.state().definition().withOptimizer(c.optimizer()));
            out.println(
                    "Resuming from "
                            + found.uri()
                            + " at epoch "
                            + start.position().epoch()
                            + ", round "
                            + (start.position().round() + 1));
        } else {
            start =
                    source.start(
                            data.imageShape(),
                            data.numClasses(),
                            c.optimizer(),
                            c.freeze(),
                            c.seed());
            if (c.pretrained() != null) {
                start = withPretrained(start, c);
            }
        }
        TrainingListener l =
                checkpoints == null
                        ? listener
                        : new Checkpointing(listener, checkpoints, c, fingerprint, data.source());
        ParameterAveraging.Result r;
        try {
            r = new ParameterAveraging(sc, c, l).fit(data, start);
        } catch (ParameterAveraging.DivergedException | ParameterAveraging.RoundFailedException e) {
            String last = checkpoints == null ? null : checkpoints.lastWritten();
            throw new IllegalStateException(
                    e.getMessage()
                            + "; "
                            + (last != null
                                    ? "last good checkpoint: " + last + " (rerun with --resume)"
                                    : "no checkpoint was written (use --checkpoint-dir)")
                            + "; no model was written",
                    e);
        }
        Map<String, Object> info = provenance(c, data, r);
        save(c, r.model(), info);
        return new Outcome(r.model(), r, data, info);
    }

    /** Writes a checkpoint every {@code --checkpoint-every} rounds and at each epoch end. */
    private static final class Checkpointing implements TrainingListener {
        private final TrainingListener inner;
        private final Checkpoints checkpoints;
        private final TrainingConfig cfg;
        private final Map<String, Object> fingerprint;
        private final String data;

        Checkpointing(
                TrainingListener inner,
                Checkpoints checkpoints,
                TrainingConfig cfg,
                Map<String, Object> fingerprint,
                String data) {
            this.inner = inner;
            this.checkpoints = checkpoints;
            this.cfg = cfg;
            this.fingerprint = fingerprint;
            this.data = data;
        }

        @Override
        public void onStart(Map<String, Object> settings) {
            inner.onStart(settings);
        }

        @Override
        public void onRound(
                int epoch, int epochs, int round, int rounds, double loss, double imagesPerSecond) {
            inner.onRound(epoch, epochs, round, rounds, loss, imagesPerSecond);
        }

        @Override
        public void onEpoch(
                int epoch, int epochs, double trainLoss, double testAccuracy, double seconds) {
            inner.onEpoch(epoch, epochs, trainLoss, testAccuracy, seconds);
        }

        @Override
        public void onState(ModelState state, boolean epochEnd) {
            inner.onState(state, epochEnd);
            boolean due =
                    epochEnd
                            || (cfg.checkpointEvery() != null
                                    && state.position().round() % cfg.checkpointEvery() == 0);
            if (!due) {
                return;
            }
            try {
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("training", cfg.asMap());
                info.put("data", data);
                info.put("created", Instant.now().toString());
                info.put("kindling_version", Versions.kindling());
                checkpoints.write(state, fingerprint, info);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(
                        "cannot write a checkpoint to " + checkpoints.dir() + ": " + e.getMessage(),
                        e);
            }
        }
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
        info.put(SavedModel.NORMALIZATION, SavedModel.provenanceOf(data.normalization()));
        List<String> names = ClassNames.of(c.dataset(), c.data(), sc.hadoopConfiguration());
        if (names != null && names.size() == data.numClasses()) {
            info.put(SavedModel.CLASSES, names);
        }
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
                    // read back by evaluate and predict (SavedModel), so these two as JSON
                    info.forEach(
                            (k, v) ->
                                    meta.put(
                                            k,
                                            k.equals(SavedModel.NORMALIZATION)
                                                            || k.equals(SavedModel.CLASSES)
                                                    ? new com.google.gson.Gson().toJson(v)
                                                    : String.valueOf(v)));
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
