package org.kindling.spark.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.kindling.nn.Module;
import org.kindling.nn.io.ModelArchive;
import org.kindling.nn.io.SafeTensors;
import org.kindling.nn.io.StateDict;
import org.kindling.nn.models.Zoo;

/**
 * Reads and writes models on any Hadoop file system (local paths, {@code file://}, {@code hdfs://},
 * ...). Writes go to a hidden temporary file in the target folder, which is then renamed over the
 * target in one step, so a crash never leaves a half-written model.
 */
public final class ModelStore {
    private ModelStore() {}

    /** Writes what {@code writer} produces to {@code uri} atomically. */
    public static void writeAtomically(String uri, Configuration conf, IOWriter writer)
            throws IOException {
        Path target = new Path(uri);
        FileContext fc = FileContext.getFileContext(target.toUri(), conf);
        target = fc.makeQualified(target);
        Path dir = target.getParent();
        fc.mkdir(dir, null, true);
        Path tmp = new Path(dir, "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        boolean done = false;
        try {
            try (OutputStream out =
                    new BufferedOutputStream(
                            fc.create(
                                    tmp,
                                    EnumSet.of(CreateFlag.CREATE),
                                    Options.CreateOpts.createParent()))) {
                writer.write(out);
            }
            fc.rename(tmp, target, Options.Rename.OVERWRITE);
            done = true;
        } finally {
            if (!done) {
                fc.delete(tmp, false);
            }
        }
    }

    /** Saves the whole model (architecture, parameters, optimizer state, provenance). */
    public static void saveWhole(String uri, Configuration conf, ModelArchive archive)
            throws IOException {
        writeAtomically(uri, conf, archive::write);
    }

    /** Saves the parameters only, as a safetensors state_dict with PyTorch's key names. */
    public static void saveParameters(
            String uri, Configuration conf, Module model, Map<String, String> metadata)
            throws IOException {
        writeAtomically(uri, conf, out -> SafeTensors.write(StateDict.of(model), metadata, out));
    }

    /** Loads a whole-model archive. */
    public static ModelArchive loadWhole(String uri, Configuration conf) throws IOException {
        try (InputStream in = open(uri, conf)) {
            return ModelArchive.read(in, uri);
        }
    }

    /** Builds zoo model {@code architecture} and loads a parameters-only file into it (strict). */
    public static Module loadParameters(
            String uri, Configuration conf, String architecture, int numClasses)
            throws IOException {
        Module model = Zoo.create(architecture, numClasses);
        try (InputStream in = open(uri, conf)) {
            StateDict.load(model, SafeTensors.read(in, uri).tensors(), true);
        } catch (IllegalArgumentException e) {
            throw new IOException(uri + ": " + e.getMessage(), e);
        }
        return model;
    }

    /**
     * Loads pretrained weights into {@code model} by name: from a safetensors state_dict or from a
     * whole-model archive (detected from the content).
     *
     * @param strict if true, missing or unexpected keys fail; otherwise they are returned
     * @throws IOException naming the file and every mismatched key or shape
     */
    public static StateDict.LoadResult loadPretrained(
            Module model, String uri, Configuration conf, boolean strict) throws IOException {
        java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> sd;
        try (InputStream in = open(uri, conf)) {
            in.mark(4);
            boolean zip = in.read() == 'P' && in.read() == 'K';
            in.reset();
            sd =
                    zip
                            ? archiveStateDict(ModelArchive.read(in, uri).state())
                            : SafeTensors.read(in, uri).tensors();
        }
        try {
            return StateDict.load(model, sd, strict);
        } catch (IllegalArgumentException e) {
            throw new IOException(uri + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, org.nd4j.linalg.api.ndarray.INDArray> archiveStateDict(
            org.kindling.nn.training.ModelState s) {
        return org.kindling.nn.training.ModelBackends.get(s.definition().backend()).stateDict(s);
    }

    private static InputStream open(String uri, Configuration conf) throws IOException {
        Path p = new Path(uri);
        return new BufferedInputStream(p.getFileSystem(conf).open(p));
    }

    /** Writes a model to a stream. */
    @FunctionalInterface
    public interface IOWriter {
        void write(OutputStream out) throws IOException;
    }
}
