package org.kindling.nn.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.kindling.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The whole-model file: a zip with {@code model.json} (format version, architecture, input shape,
 * provenance), {@code parameters.safetensors} (the state_dict) and, when present, {@code
 * optimizer.safetensors} (the flat optimizer state). Loading checks the format and version and only
 * builds Kindling's own module types from the spec ({@link ModuleSpecs}); no class named by the
 * file is ever loaded.
 *
 * @param architecture a name for the architecture, e.g. the zoo name {@code cifarnet}
 * @param numClasses number of outputs
 * @param model the module with its parameters
 * @param optimizerState flat optimizer state, or null
 * @param info provenance: training configuration, data source, metrics, versions, time
 */
public record ModelArchive(
        String architecture,
        int numClasses,
        Module model,
        INDArray optimizerState,
        Map<String, Object> info) {

    /** The {@code format} value of {@code model.json}. */
    public static final String FORMAT = "kindling-model";

    /** The current format version; loading refuses newer versions. */
    public static final int FORMAT_VERSION = 1;

    /** Writes the archive to {@code out} (which is not closed). */
    public void write(OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        zip.setLevel(java.util.zip.Deflater.NO_COMPRESSION); // float parameters do not compress
        JsonObject meta = new JsonObject();
        meta.addProperty("format", FORMAT);
        meta.addProperty("format_version", FORMAT_VERSION);
        JsonObject arch = new JsonObject();
        arch.addProperty("name", architecture);
        arch.addProperty("num_classes", numClasses);
        arch.add("spec", ModuleSpecs.toJson(model));
        meta.add("architecture", arch);
        Gson gson =
                new GsonBuilder()
                        .setPrettyPrinting()
                        .serializeSpecialFloatingPointValues()
                        .create();
        meta.add("info", gson.toJsonTree(info == null ? Map.of() : info));
        meta.addProperty("parameters", "parameters.safetensors");
        if (optimizerState != null) {
            meta.addProperty("optimizer_state", "optimizer.safetensors");
        }
        zip.putNextEntry(new ZipEntry("model.json"));
        zip.write(gson.toJson(meta).getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
        zip.putNextEntry(new ZipEntry("parameters.safetensors"));
        SafeTensors.write(StateDict.of(model), Map.of("format", "pt"), zip);
        zip.closeEntry();
        if (optimizerState != null) {
            zip.putNextEntry(new ZipEntry("optimizer.safetensors"));
            SafeTensors.write(Map.of("state", optimizerState), Map.of(), zip);
            zip.closeEntry();
        }
        zip.finish();
    }

    /**
     * Reads an archive.
     *
     * @param source names the file in error messages
     * @throws IOException naming the source and the problem for truncated, corrupt or foreign files
     */
    public static ModelArchive read(InputStream in, String source) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new IOException(
                    source + ": not a readable Kindling model archive (" + e.getMessage() + ")", e);
        }
        byte[] json = entries.get("model.json");
        if (json == null) {
            throw new IOException(
                    source
                            + ": not a Kindling model archive (no model.json entry; found "
                            + entries.keySet()
                            + "). A parameters-only file is loaded with the state_dict loader instead.");
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
        String name;
        int classes;
        Module model;
        try {
            JsonObject arch = meta.getAsJsonObject("architecture");
            name = arch.get("name").getAsString();
            classes = arch.get("num_classes").getAsInt();
            model = ModuleSpecs.fromJson(arch.getAsJsonObject("spec"));
        } catch (IllegalArgumentException ex) {
            throw new IOException(source + ": architecture spec: " + ex.getMessage());
        } catch (RuntimeException ex) {
            throw new IOException(source + ": model.json has no valid architecture (" + ex + ")");
        }
        byte[] params = entries.get("parameters.safetensors");
        if (params == null) {
            throw new IOException(source + ": archive has no parameters.safetensors entry");
        }
        SafeTensors.Contents sd =
                SafeTensors.read(
                        new ByteArrayInputStream(params), source + "!parameters.safetensors");
        try {
            StateDict.load(model, sd.tensors(), true);
        } catch (IllegalArgumentException ex) {
            throw new IOException(source + ": " + ex.getMessage());
        }
        INDArray opt = null;
        byte[] optBytes = entries.get("optimizer.safetensors");
        if (optBytes != null) {
            opt =
                    SafeTensors.read(
                                    new ByteArrayInputStream(optBytes),
                                    source + "!optimizer.safetensors")
                            .tensors()
                            .get("state");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> info =
                meta.has("info")
                        ? new Gson().fromJson(meta.get("info"), LinkedHashMap.class)
                        : Map.of();
        return new ModelArchive(name, classes, model, opt, info);
    }

    /** Serialises to bytes (for tests and small models). */
    public byte[] toBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out);
        return out.toByteArray();
    }
}
