package org.kindling.spark.eval;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.kindling.data.batch.Normalization;
import org.kindling.data.cifar.Cifar10;
import org.kindling.data.mnist.Mnist;
import org.kindling.nn.Module;
import org.kindling.nn.io.ModelArchive;
import org.kindling.nn.io.SafeTensors;
import org.kindling.nn.io.StateDict;
import org.kindling.nn.models.Zoo;
import org.kindling.nn.training.KindlingBackend;
import org.kindling.nn.training.ModelDefinition;
import org.kindling.nn.training.ModelState;
import org.kindling.nn.training.OptimizerSpec;
import org.kindling.nn.training.TrainingPosition;
import org.kindling.spark.io.ModelSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained model read back for evaluation or prediction, whatever format {@code train} saved it
 * in: a Kindling archive (architecture, weights and provenance), a safetensors {@code state_dict}
 * ({@code --save params}; the architecture is named by the caller, the classes are the first
 * dimension of the file's last parameter, the provenance is its metadata) or a DL4J zip (which
 * records neither input shape nor classes; the caller gives them).
 *
 * @param state the weights and definition
 * @param info provenance as saved (empty for a DL4J zip)
 * @param format {@code archive}, {@code state_dict} or {@code dl4j}
 */
public record SavedModel(ModelState state, Map<String, Object> info, String format) {
    /** Provenance key of the normalisation the model was trained with: {"mean":[..],"std":[..]}. */
    public static final String NORMALIZATION = "normalization";

    /** Provenance key of the class names in label order, when the data had them. */
    public static final String CLASSES = "class_names";

    /**
     * Reads the model at {@code uri}.
     *
     * @param architecture zoo name, needed (only) for a safetensors state_dict
     * @param inputShape [C, H, W], needed (only) for a DL4J zip; null otherwise
     * @param classes number of classes, needed (only) for a DL4J zip; null otherwise
     * @throws IllegalArgumentException naming {@code --model} and what is wrong or missing
     */
    public static SavedModel load(
            String uri,
            Configuration conf,
            String architecture,
            long[] inputShape,
            Integer classes) {
        byte[] head = head(uri, conf);
        if (head.length >= 2 && head[0] == 'P' && head[1] == 'K') {
            ModelSource source = ModelSource.open(uri, conf);
            if (source.kind() == ModelSource.Kind.ARCHIVE) {
                try {
                    ModelArchive a = org.kindling.spark.io.ModelStore.loadWhole(uri, conf);
                    return new SavedModel(
                            a.state(), a.info() == null ? Map.of() : a.info(), "archive");
                } catch (IOException e) {
                    throw new IllegalArgumentException("--model " + e.getMessage(), e);
                }
            }
            if (inputShape == null || classes == null) {
                throw new IllegalArgumentException(
                        "--model '"
                                + uri
                                + "' is a DL4J zip, which does not record its input shape and classes; give --input-shape C,H,W and --classes N");
            }
            ModelState s =
                    source.start(inputShape, classes, OptimizerSpec.sgd(0.01), List.of(), 42);
            return new SavedModel(s, Map.of(), "dl4j");
        }
        if (head.length == 0 || head[0] == '{') {
            throw new IllegalArgumentException(
                    "--model '"
                            + uri
                            + "' is not a saved model (a .kindling archive, a safetensors state_dict or a DL4J zip)");
        }
        return stateDict(uri, conf, architecture);
    }

    /**
     * Whether {@code uri} is a DL4J zip (which needs its input shape and classes from the caller).
     */
    public static boolean isDl4j(String uri, Configuration conf) {
        byte[] head = head(uri, conf);
        return head.length >= 2
                && head[0] == 'P'
                && head[1] == 'K'
                && ModelSource.open(uri, conf).kind() == ModelSource.Kind.DL4J;
    }

    private static SavedModel stateDict(String uri, Configuration conf, String architecture) {
        if (architecture == null) {
            throw new IllegalArgumentException(
                    "--model '"
                            + uri
                            + "' is a safetensors state_dict, which holds weights only; name its architecture with --architecture (one of "
                            + String.join(", ", Zoo.NAMES)
                            + ")");
        }
        if (!Zoo.NAMES.contains(architecture)) {
            throw new IllegalArgumentException(
                    "--architecture must be one of "
                            + Zoo.NAMES
                            + " but was: '"
                            + architecture
                            + "'");
        }
        SafeTensors.Contents c;
        try (InputStream in = new Path(uri).getFileSystem(conf).open(new Path(uri))) {
            c = SafeTensors.read(in, uri);
        } catch (IOException e) {
            throw new IllegalArgumentException("--model " + e.getMessage(), e);
        }
        // the classifier's bias (or weight) is the last parameter; its first dimension is the
        // classes
        List<String> keys = new ArrayList<>(Zoo.create(architecture, 1).namedParameters().keySet());
        INDArray last = c.tensors().get(keys.get(keys.size() - 1));
        if (last == null) {
            throw new IllegalArgumentException(
                    "--model '"
                            + uri
                            + "' is not a state_dict of --architecture "
                            + architecture
                            + ": it has no '"
                            + keys.get(keys.size() - 1)
                            + "'");
        }
        int classes = (int) last.size(0);
        Module m = Zoo.create(architecture, classes);
        try {
            StateDict.load(m, c.tensors(), true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--model '"
                            + uri
                            + "' does not fit --architecture "
                            + architecture
                            + ": "
                            + e.getMessage(),
                    e);
        }
        ModelDefinition d =
                KindlingBackend.define(
                        m,
                        architecture,
                        Zoo.inputShape(architecture),
                        classes,
                        OptimizerSpec.sgd(0.01),
                        List.of());
        Map<String, Object> info = new LinkedHashMap<>(c.metadata());
        for (String k : List.of(NORMALIZATION, CLASSES)) {
            String json = c.metadata().get(k);
            if (json != null) {
                try {
                    info.put(k, new Gson().fromJson(json, Object.class));
                } catch (JsonParseException e) {
                    info.remove(k); // written by a version that did not store it as JSON
                }
            }
        }
        return new SavedModel(
                KindlingBackend.stateOf(m, d, TrainingPosition.start(42)), info, "state_dict");
    }

    private static byte[] head(String uri, Configuration conf) {
        try {
            Path p = new Path(uri);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                throw new IllegalArgumentException("--model '" + uri + "' does not exist");
            }
            if (fs.getFileStatus(p).isDirectory()) {
                throw new IllegalArgumentException(
                        "--model '" + uri + "' is a folder; expected a saved model file");
            }
            try (InputStream in = fs.open(p)) {
                return in.readNBytes(8);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--model '" + uri + "': cannot read it (" + e.getMessage() + ")", e);
        }
    }

    /** [C, H, W] of the model's input. */
    public long[] inputShape() {
        return state.definition().inputShape();
    }

    /** Number of classes. */
    public int classes() {
        return state.definition().numClasses();
    }

    /** Class names in label order from the provenance, or null. */
    @SuppressWarnings("unchecked")
    public List<String> classNames() {
        Object v = info.get(CLASSES);
        return v instanceof List<?> l && l.size() == classes() ? (List<String>) l : null;
    }

    /**
     * The normalisation the model was trained with (from its provenance); else {@code fallback}
     * (the data's published statistics) with a note printed to {@code out}.
     */
    public Normalization normalization(
            Normalization fallback, String fallbackName, PrintStream out) {
        Normalization saved = normalizationOf(info);
        if (saved != null && saved.channels() == inputShape()[0]) {
            return saved;
        }
        out.println(
                "note: the model does not record its input normalisation (saved as "
                        + format
                        + " without provenance); using "
                        + fallbackName
                        + ": "
                        + fallback);
        return fallback;
    }

    /** The published statistics for images of {@code channels} channels (CIFAR-10's or MNIST's). */
    public static Normalization published(int channels) {
        return channels == 1
                ? new Normalization(Mnist.TRAIN_MEAN, Mnist.TRAIN_STD)
                : new Normalization(Cifar10.TRAIN_MEAN, Cifar10.TRAIN_STD);
    }

    /** The provenance value for {@code n}: {"mean":[..],"std":[..]}. */
    public static Map<String, Object> provenanceOf(Normalization n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", toList(n.mean()));
        m.put("std", toList(n.std()));
        return m;
    }

    static Normalization normalizationOf(Map<String, Object> info) {
        if (info.get(NORMALIZATION) instanceof Map<?, ?> m
                && m.get("mean") instanceof List<?> mean
                && m.get("std") instanceof List<?> std) {
            try {
                return new Normalization(toFloats(mean), toFloats(std));
            } catch (RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    private static List<Double> toList(float[] a) {
        List<Double> l = new ArrayList<>(a.length);
        for (float v : a) l.add((double) v);
        return l;
    }

    private static float[] toFloats(List<?> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = ((Number) l.get(i)).floatValue();
        return a;
    }

    @Override
    public String toString() {
        return format
                + " "
                + state.definition().name()
                + " "
                + Arrays.toString(inputShape())
                + " -> "
                + classes();
    }
}
