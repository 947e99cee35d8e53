package org.kindling.nn.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.kindling.nn.Module;
import org.kindling.nn.models.Zoo;
import org.kindling.nn.training.KindlingBackend;
import org.kindling.nn.training.Learner;
import org.kindling.nn.training.ModelBackend;
import org.kindling.nn.training.ModelBackends;
import org.kindling.nn.training.ModelDefinition;
import org.kindling.nn.training.ModelState;
import org.kindling.nn.training.OptimizerSpec;
import org.kindling.nn.training.TrainingPosition;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one reader and writer of a {@link ModelState}: a zip with {@code parameters.safetensors} (the
 * backend's named tensors; for Kindling models PyTorch's {@code state_dict}), {@code
 * optimizer.safetensors} (the flat optimizer state) and, last, {@code model.json}: format and
 * version, the model definition (backend, architecture spec, input shape, classes, loss, optimizer,
 * frozen prefixes), the training position, provenance, and the size and CRC-32 of every other
 * entry, so a file that lost or damaged an entry is refused. Whole models and checkpoints are both
 * this file. Loading checks the format and version and only builds registered module types; no
 * class named by the file is ever loaded. Format 1 files (model.json first, no definition) still
 * load.
 *
 * @param state the model, its arrays and position
 * @param info provenance: training configuration, data source, metrics, versions, time
 */
public record ModelArchive(ModelState state, Map<String, Object> info) {

    /** The {@code format} value of {@code model.json}. */
    public static final String FORMAT = "kindling-model";

    /** The current format version; loading refuses newer versions. */
    public static final int FORMAT_VERSION = 2;

    private static final String MODEL_JSON = "model.json";
    private static final String PARAMS = "parameters.safetensors";
    private static final String OPTIMIZER = "optimizer.safetensors";

    /** An archive without provenance. */
    public ModelArchive(ModelState state) {
        this(state, Map.of());
    }

    /** The model as a Kindling module with its parameters (for {@code kindling} models). */
    public Module module() {
        return KindlingBackend.module(state);
    }

    /** Writes the archive to {@code out} (which is not closed). */
    public void write(OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        zip.setLevel(java.util.zip.Deflater.NO_COMPRESSION); // float parameters do not compress
        ModelDefinition d = state.definition();
        ModelBackend backend = ModelBackends.get(d.backend());
        JsonObject entries = new JsonObject();
        writeEntry(
                zip,
                PARAMS,
                entries,
                o -> SafeTensors.write(backend.stateDict(state), Map.of("format", "pt"), o));
        if (state.optimizerState().length > 0) { // plain SGD in DL4J keeps no state
            writeEntry(
                    zip,
                    OPTIMIZER,
                    entries,
                    o ->
                            SafeTensors.write(
                                    Map.of("state", Nd4j.createFromArray(state.optimizerState())),
                                    Map.of(),
                                    o));
        }
        JsonObject meta = new JsonObject();
        meta.addProperty("format", FORMAT);
        meta.addProperty("format_version", FORMAT_VERSION);
        meta.add("model", definitionJson(d));
        meta.add("position", positionJson(state.position()));
        Gson gson =
                new GsonBuilder()
                        .setPrettyPrinting()
                        .serializeSpecialFloatingPointValues()
                        .serializeNulls() // a DL4J spec keeps its null fields
                        .create();
        meta.add("info", gson.toJsonTree(info == null ? Map.of() : info));
        meta.add("entries", entries);
        zip.putNextEntry(new ZipEntry(MODEL_JSON));
        zip.write(gson.toJson(meta).getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
        zip.finish();
    }

    /**
     * Reads an archive.
     *
     * @param source names the file in error messages
     * @throws IOException naming the source and the problem for truncated, corrupt or foreign files
     */
    public static ModelArchive read(InputStream in, String source) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new IOException(
                    source + ": not a readable Kindling model archive (" + e.getMessage() + ")", e);
        }
        byte[] json = entries.get(MODEL_JSON);
        if (json == null) {
            throw new IOException(
                    source
                            + ": not a whole Kindling model archive (no model.json entry; found "
                            + entries.keySet()
                            + "): the file is truncated, or it is a parameters-only file, which is loaded with the state_dict loader instead");
        }
        JsonObject meta;
        try {
            meta =
                    JsonParser.parseString(new String(json, StandardCharsets.UTF_8))
                            .getAsJsonObject();
        } catch (RuntimeException ex) {
            throw new IOException(source + ": corrupt model.json (" + ex.getMessage() + ")");
        }
        if (!meta.has("format") || !FORMAT.equals(meta.get("format").getAsString())) {
            throw new IOException(
                    source
                            + ": model.json has format "
                            + meta.get("format")
                            + ", expected \""
                            + FORMAT
                            + "\"");
        }
        int version = meta.has("format_version") ? meta.get("format_version").getAsInt() : -1;
        if (version < 1 || version > FORMAT_VERSION) {
            throw new IOException(
                    source
                            + ": format_version "
                            + version
                            + " is not supported (this Kindling reads 1.."
                            + FORMAT_VERSION
                            + ")");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> info =
                meta.has("info")
                        ? new Gson().fromJson(meta.get("info"), LinkedHashMap.class)
                        : Map.of();
        if (version >= 2) {
            checkEntries(meta, entries, source);
        }
        ModelDefinition d;
        TrainingPosition position;
        try {
            d =
                    version == 1
                            ? format1Definition(meta, info)
                            : definition(meta.getAsJsonObject("model"));
            position =
                    version == 1
                            ? format1Position(info)
                            : position(meta.getAsJsonObject("position"));
        } catch (IllegalArgumentException ex) {
            throw new IOException(source + ": model definition: " + ex.getMessage(), ex);
        } catch (RuntimeException ex) {
            throw new IOException(
                    source + ": model.json has no valid model definition (" + ex + ")", ex);
        }
        byte[] params = entries.get(PARAMS);
        if (params == null) {
            throw new IOException(source + ": archive has no " + PARAMS + " entry");
        }
        Map<String, INDArray> sd =
                SafeTensors.read(new ByteArrayInputStream(params), source + "!" + PARAMS).tensors();
        Learner learner;
        try {
            learner = ModelBackends.get(d.backend()).fromStateDict(d, sd);
        } catch (IllegalArgumentException ex) {
            throw new IOException(source + ": " + ex.getMessage(), ex);
        }
        byte[] optBytes = entries.get(OPTIMIZER);
        if (optBytes != null) {
            INDArray s =
                    SafeTensors.read(new ByteArrayInputStream(optBytes), source + "!" + OPTIMIZER)
                            .tensors()
                            .get("state");
            if (s == null) {
                throw new IOException(source + "!" + OPTIMIZER + ": no tensor named 'state'");
            }
            try {
                learner.setOptimizerState(
                        s.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatVector());
            } catch (IllegalArgumentException ex) {
                throw new IOException(source + "!" + OPTIMIZER + ": " + ex.getMessage(), ex);
            }
        }
        return new ModelArchive(ModelState.of(d, learner, position), info);
    }

    /** Serialises to bytes (for tests and small models). */
    public byte[] toBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out);
        return out.toByteArray();
    }

    /** The definition as JSON (also the {@code --model} spec-file format). */
    public static JsonObject definitionJson(ModelDefinition d) {
        JsonObject m = new JsonObject();
        m.addProperty("backend", d.backend());
        m.addProperty("name", d.name());
        m.addProperty("num_classes", d.numClasses());
        JsonArray shape = new JsonArray();
        for (long v : d.inputShape()) shape.add(v);
        m.add("input_shape", shape);
        m.addProperty("loss", d.loss());
        JsonObject o = new JsonObject();
        o.addProperty("name", d.optimizer().name());
        o.addProperty("lr", d.optimizer().lr());
        o.addProperty("momentum", d.optimizer().momentum());
        m.add("optimizer", o);
        JsonArray frozen = new JsonArray();
        d.frozen().forEach(frozen::add);
        m.add("frozen", frozen);
        m.add("spec", JsonParser.parseString(d.spec()));
        return m;
    }

    /**
     * A definition from {@link #definitionJson}; {@code optimizer}, {@code loss} and {@code frozen}
     * may be left out (SGD with lr 0.01, cross-entropy, none).
     *
     * @throws IllegalArgumentException naming the missing or bad field
     */
    public static ModelDefinition definition(JsonObject m) {
        SpecConfig c = new SpecConfig(m);
        JsonArray shape = c.get("input_shape").getAsJsonArray();
        long[] s = new long[shape.size()];
        for (int i = 0; i < s.length; i++) s[i] = shape.get(i).getAsLong();
        OptimizerSpec o = OptimizerSpec.sgd(0.01);
        if (c.has("optimizer")) {
            SpecConfig oc = new SpecConfig(c.get("optimizer").getAsJsonObject());
            o =
                    new OptimizerSpec(
                            oc.s("name"), oc.d("lr"), oc.has("momentum") ? oc.d("momentum") : 0);
        }
        List<String> frozen = new ArrayList<>();
        if (c.has("frozen")) {
            c.get("frozen").getAsJsonArray().forEach(e -> frozen.add(e.getAsString()));
        }
        JsonElement spec = c.get("spec");
        return new ModelDefinition(
                c.has("backend") ? c.s("backend") : KindlingBackend.NAME,
                c.has("name") ? c.s("name") : "model",
                spec.isJsonPrimitive() ? spec.getAsString() : spec.toString(),
                s,
                c.i("num_classes"),
                c.has("loss") ? c.s("loss") : ModelDefinition.CROSS_ENTROPY,
                o,
                frozen);
    }

    private static JsonObject positionJson(TrainingPosition p) {
        JsonObject o = new JsonObject();
        o.addProperty("epoch", p.epoch());
        o.addProperty("round", p.round());
        o.addProperty("seed", p.seed());
        return o;
    }

    private static TrainingPosition position(JsonObject o) {
        SpecConfig c = new SpecConfig(o);
        return new TrainingPosition(c.i("epoch"), c.i("round"), c.get("seed").getAsLong());
    }

    private static ModelDefinition format1Definition(JsonObject meta, Map<String, Object> info) {
        JsonObject arch = meta.getAsJsonObject("architecture");
        ModuleSpecs.fromJson(arch.getAsJsonObject("spec")); // refuses unknown types first
        String name = arch.get("name").getAsString();
        String zooName = name.split("\\+")[0];
        if (!Zoo.NAMES.contains(zooName)) {
            throw new IllegalArgumentException(
                    "format 1 archive of '" + name + "' does not record its input shape");
        }
        Object training = info.get("training");
        OptimizerSpec o = OptimizerSpec.sgd(0.01);
        if (training instanceof Map<?, ?> t && t.get("optimizer") != null) {
            o =
                    new OptimizerSpec(
                            String.valueOf(t.get("optimizer")),
                            ((Number) t.get("lr")).doubleValue(),
                            ((Number) t.get("momentum")).doubleValue());
        }
        // format 1 rebuilt the spec with its own reader; it is the same tree format as today's
        return new ModelDefinition(
                KindlingBackend.NAME,
                name,
                arch.getAsJsonObject("spec").toString(),
                Zoo.inputShape(zooName),
                arch.get("num_classes").getAsInt(),
                ModelDefinition.CROSS_ENTROPY,
                o,
                List.of());
    }

    private static TrainingPosition format1Position(Map<String, Object> info) {
        if (info.get("training") instanceof Map<?, ?> t && t.get("epochs") instanceof Number n) {
            long seed = t.get("seed") instanceof Number s ? s.longValue() : 0;
            return new TrainingPosition(n.intValue() + 1, 0, seed);
        }
        return TrainingPosition.start(0);
    }

    private static INDArray vector(float[] v) {
        return v.length == 0
                ? Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 0)
                : Nd4j.createFromArray(v);
    }

    private static void checkEntries(JsonObject meta, Map<String, byte[]> entries, String source)
            throws IOException {
        if (!meta.has("entries")) {
            throw new IOException(source + ": model.json does not list the archive's entries");
        }
        for (Map.Entry<String, JsonElement> e : meta.getAsJsonObject("entries").entrySet()) {
            byte[] b = entries.get(e.getKey());
            JsonObject want = e.getValue().getAsJsonObject();
            if (b == null) {
                throw new IOException(
                        source
                                + ": entry "
                                + e.getKey()
                                + " is missing (the archive lists it with "
                                + want.get("size")
                                + " bytes; the file is truncated or damaged)");
            }
            CRC32 crc = new CRC32();
            crc.update(b);
            if (b.length != want.get("size").getAsLong()
                    || crc.getValue() != want.get("crc32").getAsLong()) {
                throw new IOException(
                        source
                                + ": entry "
                                + e.getKey()
                                + " has "
                                + b.length
                                + " bytes with CRC-32 "
                                + crc.getValue()
                                + " but the archive lists "
                                + want.get("size")
                                + " bytes with CRC-32 "
                                + want.get("crc32")
                                + " (the file is damaged)");
            }
        }
    }

    private interface EntryWriter {
        void write(OutputStream out) throws IOException;
    }

    private static void writeEntry(
            ZipOutputStream zip, String name, JsonObject entries, EntryWriter w)
            throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        CRC32 crc = new CRC32();
        long[] size = {0};
        OutputStream counting =
                new FilterOutputStream(zip) {
                    @Override
                    public void write(int b) throws IOException {
                        zip.write(b);
                        crc.update(b);
                        size[0]++;
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        zip.write(b, off, len);
                        crc.update(b, off, len);
                        size[0] += len;
                    }

                    @Override
                    public void close() {}
                };
        w.write(counting);
        counting.flush();
        zip.closeEntry();
        JsonObject o = new JsonObject();
        o.addProperty("size", size[0]);
        o.addProperty("crc32", crc.getValue());
        entries.add(name, o);
    }
}
