package org.kindling.spark.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.kindling.spark.averaging.TrainingListener;
import org.kindling.spark.io.ModelStore;

/**
 * Records training metrics as JSON lines in {@code <output>.metrics.jsonl} on the output's Hadoop
 * file system: one object per averaging round ({@code "kind":"round"}) and one per epoch ({@code
 * "kind":"epoch"}), each with {@code epoch}, {@code round} (rounds of an epoch count from 1; an
 * epoch line has the epoch's number of rounds), {@code loss} (the round's mean loss, or the epoch's
 * mean training loss), {@code images_per_second} (rounds), {@code test_accuracy} (epochs; null
 * without test data), {@code seconds} (since the run started, or the epoch's duration) and {@code
 * time} (ISO-8601 UTC).
 *
 * <p>The whole file is rewritten atomically (temporary file and rename, like the model) at every
 * epoch end, so it is never half-written and, if a run dies, holds every completed epoch. HDFS does
 * not support appending everywhere, and a reader never sees a torn last line this way.
 */
public final class MetricsLog implements TrainingListener {
    private static final Gson GSON = new GsonBuilder().serializeNulls().create();

    private final String uri;
    private final Configuration conf;
    private final List<Map<String, Object>> lines = new ArrayList<>();
    private final long startNanos = System.nanoTime();

    /**
     * @param uri the metrics file, e.g. {@link #pathFor}({@code --output})
     * @param conf Hadoop configuration of its file system
     */
    public MetricsLog(String uri, Configuration conf) {
        this.uri = uri;
        this.conf = conf;
    }

    /** {@code <output>.metrics.jsonl}. */
    public static String pathFor(String output) {
        return output + ".metrics.jsonl";
    }

    /** Where the lines go. */
    public String uri() {
        return uri;
    }

    /** The lines so far (the same objects that are written). */
    public List<Map<String, Object>> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void onRound(
            int epoch, int epochs, int round, int rounds, double loss, double imagesPerSecond) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "round");
        m.put("epoch", epoch);
        m.put("round", round);
        m.put("rounds", rounds);
        m.put("loss", finite(loss));
        m.put("images_per_second", finite(imagesPerSecond));
        m.put("test_accuracy", null);
        m.put("seconds", (System.nanoTime() - startNanos) / 1e9);
        m.put("time", Instant.now().toString());
        lines.add(m);
    }

    @Override
    public void onEpoch(
            int epoch, int epochs, double trainLoss, double testAccuracy, double seconds) {
        int rounds = 0;
        for (Map<String, Object> l : lines) {
            if ("round".equals(l.get("kind")) && l.get("epoch").equals(epoch)) rounds++;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "epoch");
        m.put("epoch", epoch);
        m.put("round", rounds);
        m.put("rounds", rounds);
        m.put("loss", finite(trainLoss));
        m.put("images_per_second", null);
        m.put("test_accuracy", finite(testAccuracy));
        m.put("seconds", seconds);
        m.put("time", Instant.now().toString());
        lines.add(m);
        write();
    }

    /** Writes every line so far (atomically). */
    public void write() {
        StringBuilder s = new StringBuilder();
        for (Map<String, Object> l : lines) s.append(GSON.toJson(l)).append('\n');
        try {
            ModelStore.writeAtomically(
                    uri, conf, o -> o.write(s.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write the metrics to " + uri + ": " + e.getMessage(), e);
        }
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null; // JSON has no NaN
    }
}
