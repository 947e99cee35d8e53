package org.kindling.spark.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.kindling.nn.io.ModelArchive;
import org.kindling.nn.training.ModelState;
import org.kindling.nn.training.TrainingPosition;

/**
 * A run's checkpoints in one folder of any Hadoop file system: each is a whole {@link ModelArchive}
 * of the {@link ModelState} (parameters, optimizer state, buffers, position) named {@code
 * ckpt-e<epoch>-r<round>.kindling} after the position it resumes from, plus the run's fingerprint
 * (the settings a resumed run must share). Written atomically; older checkpoints are pruned only
 * after the new one is complete, keeping the newest {@code keep}.
 */
public final class Checkpoints {
    private static final Pattern NAME = Pattern.compile("ckpt-e(\\d+)-r(\\d+)\\.kindling");

    private final String dir;
    private final Configuration conf;
    private final int keep;
    private String last;

    /** A checkpoint found on resume. */
    public record Found(String uri, ModelState state) {}

    /**
     * @param dir the folder (created when the first checkpoint is written)
     * @param keep how many of the newest checkpoints to keep, >= 1
     */
    public Checkpoints(String dir, Configuration conf, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("--keep-checkpoints must be >= 1 but was: " + keep);
        }
        this.dir = dir;
        this.conf = conf;
        this.keep = keep;
    }

    /** The folder. */
    public String dir() {
        return dir;
    }

    /** The newest checkpoint written by this object, or null. */
    public String lastWritten() {
        return last;
    }

    /** The file name of the checkpoint at {@code p}. */
    static String name(TrainingPosition p) {
        return String.format("ckpt-e%05d-r%06d.kindling", p.epoch(), p.round());
    }

    /** Writes {@code state} with {@code fingerprint} and prunes older checkpoints. */
    public String write(ModelState state, Map<String, Object> fingerprint, Map<String, Object> info)
            throws IOException {
        Map<String, Object> all = new LinkedHashMap<>(info);
        all.put("run", fingerprint);
        String uri = new Path(dir, name(state.position())).toString();
        ModelStore.saveWhole(uri, conf, new ModelArchive(state, all));
        last = uri;
        List<Path> files = list();
        for (int i = keep; i < files.size(); i++) {
            files.get(i).getFileSystem(conf).delete(files.get(i), false);
        }
        return uri;
    }

    /** Checkpoint files, newest first. */
    List<Path> list() throws IOException {
        Path d = new Path(dir);
        FileSystem fs = d.getFileSystem(conf);
        List<Path> out = new ArrayList<>();
        if (!fs.exists(d)) {
            return out;
        }
        for (FileStatus s : fs.listStatus(d)) {
            if (NAME.matcher(s.getPath().getName()).matches()) {
                out.add(s.getPath());
            }
        }
        out.sort(Comparator.comparing((Path p) -> p.getName()).reversed());
        return out;
    }

    /**
     * The newest readable checkpoint; a newer one that is corrupt or partial is reported on {@code
     * log} and skipped. Its fingerprint must equal {@code fingerprint}.
     *
     * @throws IllegalArgumentException if there is no readable checkpoint, or the newest readable
     *     one was written by a run with other settings (naming each difference)
     */
    public Found newest(Map<String, Object> fingerprint, PrintStream log) throws IOException {
        List<Path> files = list();
        if (files.isEmpty()) {
            throw new IllegalArgumentException(
                    "--resume: no checkpoint (ckpt-e*-r*.kindling) in --checkpoint-dir " + dir);
        }
        List<String> bad = new ArrayList<>();
        for (Path p : files) {
            ModelArchive a;
            try (InputStream in = p.getFileSystem(conf).open(p)) {
                a = ModelArchive.read(in, p.toString());
            } catch (IOException | RuntimeException e) {
                log.println(
                        "Checkpoint "
                                + p
                                + " is unreadable ("
                                + e.getMessage()
                                + "); falling back to the previous one");
                bad.add(p.getName());
                continue;
            }
            Object saved = a.info().get("run");
            List<String> diff = differences(fingerprint, saved);
            if (!diff.isEmpty()) {
                throw new IllegalArgumentException(
                        "--resume: checkpoint "
                                + p
                                + " was written by a run with other settings: "
                                + String.join("; ", diff)
                                + " (start a new --checkpoint-dir, or resume with the same settings)");
            }
            // set the unreadable newer ones aside, so pruning (newest names first) cannot keep
            // them and delete the good checkpoints this run writes next
            for (String name : bad) {
                Path b = new Path(dir, name);
                b.getFileSystem(conf).rename(b, new Path(dir, name + ".corrupt"));
                log.println("Renamed " + b + " to " + name + ".corrupt");
            }
            last = p.toString();
            return new Found(p.toString(), a.state());
        }
        throw new IllegalArgumentException(
                "--resume: no readable checkpoint in " + dir + "; unreadable: " + bad);
    }

    private static List<String> differences(Map<String, Object> now, Object saved) {
        List<String> out = new ArrayList<>();
        if (!(saved instanceof Map<?, ?> s)) {
            out.add("it records no run settings");
            return out;
        }
        for (Map.Entry<String, Object> e : now.entrySet()) {
            String was = String.valueOf(s.get(e.getKey()));
            String is = String.valueOf(e.getValue());
            if (!was.equals(is)) {
                out.add(e.getKey() + " " + was + " (checkpoint) vs " + is + " (now)");
            }
        }
        return out;
    }
}
