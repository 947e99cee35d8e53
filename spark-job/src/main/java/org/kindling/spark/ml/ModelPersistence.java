package org.kindling.spark.ml;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.kindling.data.batch.Normalization;
import org.kindling.nn.internal.Versions;
import org.kindling.nn.io.ModelArchive;
import org.kindling.spark.io.ModelStore;
import scala.Option;

/**
 * Saving and loading {@link KindlingClassificationModel}: Spark ML's params metadata ({@code
 * path/metadata}, as {@code DefaultParamsWriter} writes it, with the class checked on load), the
 * network as a Kindling archive ({@code path/model.kindling}, {@link ModelArchive}) and the
 * normalisation ({@code path/normalization.json}: {@code {"mean": [...], "std": [...]}}).
 */
final class ModelPersistence {
    static final String ARCHIVE = "model.kindling";
    static final String NORMALIZATION = "normalization.json";

    private ModelPersistence() {}

    static final class Writer extends MLWriter {
        private final KindlingClassificationModel model;

        Writer(KindlingClassificationModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(model, path, sc(), Option.empty(), Option.empty());
            Configuration conf = sc().hadoopConfiguration();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("spark_ml_uid", model.uid());
            info.put("spark_ml_params", KindlingParams.values(model));
            info.put("normalization", json(model.normalization()));
            info.put("created", Instant.now().toString());
            info.put("kindling_version", Versions.kindling());
            try {
                ModelStore.saveWhole(
                        path + "/" + ARCHIVE, conf, new ModelArchive(model.state(), info));
                byte[] norm =
                        new Gson()
                                .toJson(json(model.normalization()))
                                .getBytes(StandardCharsets.UTF_8);
                ModelStore.writeAtomically(path + "/" + NORMALIZATION, conf, o -> o.write(norm));
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot save " + model.uid() + " to " + path + ": " + e.getMessage(), e);
            }
        }
    }

    static final class Reader extends MLReader<KindlingClassificationModel> {
        @Override
        public KindlingClassificationModel load(String path) {
            DefaultParamsReader.Metadata md =
                    DefaultParamsReader.loadMetadata(
                            path, sc(), KindlingClassificationModel.class.getName());
            Configuration conf = sc().hadoopConfiguration();
            try {
                ModelArchive archive = ModelStore.loadWhole(path + "/" + ARCHIVE, conf);
                Normalization norm = readNormalization(path + "/" + NORMALIZATION, conf);
                KindlingClassificationModel m =
                        new KindlingClassificationModel(md.uid(), archive.state(), norm);
                md.getAndSetParams(m, Option.empty());
                return m;
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot load a KindlingClassificationModel from "
                                + path
                                + ": "
                                + e.getMessage(),
                        e);
            }
        }
    }

    private static Map<String, float[]> json(Normalization n) {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("mean", n.mean());
        m.put("std", n.std());
        return m;
    }

    private static Normalization readNormalization(String uri, Configuration conf)
            throws IOException {
        Path p = new Path(uri);
        FileSystem fs = p.getFileSystem(conf);
        try (InputStream in = fs.open(p)) {
            JsonObject o =
                    new Gson()
                            .fromJson(
                                    new String(in.readAllBytes(), StandardCharsets.UTF_8),
                                    JsonObject.class);
            if (o == null || !o.has("mean") || !o.has("std")) {
                throw new IOException(uri + ": expected {\"mean\": [...], \"std\": [...]}");
            }
            Gson g = new Gson();
            return new Normalization(
                    g.fromJson(o.get("mean"), float[].class),
                    g.fromJson(o.get("std"), float[].class));
        }
    }
}
