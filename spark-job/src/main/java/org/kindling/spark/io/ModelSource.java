package org.kindling.spark.io;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.kindling.nn.Generator;
import org.kindling.nn.Module;
import org.kindling.nn.io.ModelArchive;
import org.kindling.nn.io.ModuleSpecs;
import org.kindling.nn.models.Zoo;
import org.kindling.nn.training.KindlingBackend;
import org.kindling.nn.training.Learner;
import org.kindling.nn.training.ModelBackends;
import org.kindling.nn.training.ModelDefinition;
import org.kindling.nn.training.ModelState;
import org.kindling.nn.training.OptimizerSpec;
import org.kindling.nn.training.TrainingPosition;
import org.kindling.spark.dl4j.Dl4jBackend;

/**
 * What {@code --model} names, the one place that turns it into a {@link ModelState} to start
 * training from: a zoo name; or a path or Hadoop URI of a Kindling archive (its architecture and
 * weights), a spec JSON file (a module tree, or a model definition as in an archive's {@code
 * model.json}), or a DL4J {@code ModelSerializer} zip. {@link #open} checks the source before any
 * data is read; {@link #start} builds the state once the data's shape and classes are known.
 */
public final class ModelSource {
    /** The kinds of source. */
    public enum Kind {
        ZOO,
        ARCHIVE,
        SPEC,
        DL4J
    }

    private final String uri;
    private final Kind kind;
    private final byte[] bytes;

    private ModelSource(String uri, Kind kind, byte[] bytes) {
        this.uri = uri;
        this.kind = kind;
        this.bytes = bytes;
    }

    /** The kind of model named. */
    public Kind kind() {
        return kind;
    }

    /** The backend the model will train on. */
    public String backend() {
        return kind == Kind.DL4J ? Dl4jBackend.NAME : KindlingBackend.NAME;
    }

    /**
     * Identifies {@code model}.
     *
     * @throws IllegalArgumentException if it is neither a zoo name nor a readable model file
     */
    public static ModelSource open(String model, Configuration conf) {
        if (Zoo.NAMES.contains(model)) {
            return new ModelSource(model, Kind.ZOO, null);
        }
        byte[] b;
        try {
            Path p = new Path(model);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                throw new IllegalArgumentException(
                        "--model '"
                                + model
                                + "' is neither a zoo model ("
                                + String.join(", ", Zoo.NAMES)
                                + ") nor an existing file");
            }
            try (InputStream in = fs.open(p)) {
                b = in.readAllBytes();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("--model '" + model + "': cannot read it: " + e, e);
        }
        if (b.length > 2 && b[0] == 'P' && b[1] == 'K') {
            Set<String> names = entries(b, model);
            if (names.contains("model.json")) {
                return new ModelSource(model, Kind.ARCHIVE, b);
            }
            if (names.contains("configuration.json") && names.contains("coefficients.bin")) {
                return new ModelSource(model, Kind.DL4J, b);
            }
            throw new IllegalArgumentException(
                    "--model '"
                            + model
                            + "' is a zip but neither a Kindling archive (model.json) nor a DL4J ModelSerializer zip (configuration.json, coefficients.bin); it has "
                            + names);
        }
        String text = new String(b, StandardCharsets.UTF_8).strip();
        if (text.startsWith("{")) {
            return new ModelSource(model, Kind.SPEC, b);
        }
        throw new IllegalArgumentException(
                "--model '"
                        + model
                        + "' is not a zoo name, a Kindling archive, a spec JSON file or a DL4J zip");
    }

    /**
     * The state to start training from: the named model for images of {@code inputShape} and {@code
     * numClasses} classes, trained with {@code optimizer}, with {@code frozen} prefixes, at the
     * start of a run seeded with {@code seed}. Weights come from the archive or DL4J zip; zoo and
     * spec models are initialised from the seed.
     *
     * @throws IllegalArgumentException naming the model and what does not fit
     */
    public ModelState start(
            long[] inputShape,
            int numClasses,
            OptimizerSpec optimizer,
            java.util.List<String> frozen,
            long seed) {
        TrainingPosition pos = TrainingPosition.start(seed);
        try {
            switch (kind) {
                case ZOO:
                    {
                        Module m;
                        try (Generator.Scope s = Generator.use(new Generator(seed))) {
                            m = Zoo.create(uri, numClasses);
                        }
                        ModelDefinition d =
                                KindlingBackend.define(
                                        m, uri, Zoo.inputShape(uri), numClasses, optimizer, frozen);
                        return KindlingBackend.stateOf(m, d, pos);
                    }
                case ARCHIVE:
                    {
                        ModelState saved =
                                ModelArchive.read(new ByteArrayInputStream(bytes), uri).state();
                        ModelDefinition d =
                                saved.definition().withOptimizer(optimizer).withFrozen(frozen);
                        return restart(d, saved.parameters(), saved.buffers(), pos);
                    }
                case SPEC:
                    {
                        JsonObject json =
                                JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8))
                                        .getAsJsonObject();
                        ModelDefinition d;
                        if (json.has("type")) {
                            Module m;
                            try (Generator.Scope s = Generator.use(new Generator(seed))) {
                                m = ModuleSpecs.fromJson(json);
                            }
                            d =
                                    KindlingBackend.define(
                                            m, name(), inputShape, numClasses, optimizer, frozen);
                            return KindlingBackend.stateOf(m, d, pos);
                        }
                        d =
                                ModelArchive.definition(json)
                                        .withOptimizer(optimizer)
                                        .withFrozen(frozen);
                        return ModelState.initial(d, seed);
                    }
                case DL4J:
                    ModelState s =
                            Dl4jBackend.read(
                                    new ByteArrayInputStream(bytes),
                                    name(),
                                    inputShape,
                                    numClasses,
                                    optimizer,
                                    seed);
                    if (!frozen.isEmpty()) { // the backend refuses it with its message
                        ModelBackends.get(Dl4jBackend.NAME)
                                .learner(s.definition().withFrozen(frozen), seed);
                    }
                    return s;
                default:
                    throw new AssertionError(kind);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--model " + e.getMessage(), e);
        } catch (com.google.gson.JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(
                    "--model '" + uri + "': not a valid spec JSON file (" + e.getMessage() + ")",
                    e);
        }
    }

    private static ModelState restart(
            ModelDefinition d, float[] params, float[] buffers, TrainingPosition pos) {
        Learner l = ModelBackends.get(d.backend()).learner(d, pos.seed());
        l.setParameters(params);
        l.setBuffers(buffers);
        return ModelState.of(d, l, pos);
    }

    private String name() {
        String n = new Path(uri).getName();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static Set<String> entries(byte[] zip, String source) {
        Set<String> names = new HashSet<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) {
                names.add(e.getName());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--model '" + source + "': not a readable zip (" + e.getMessage() + ")", e);
        }
        return names;
    }
}
