package org.kindling.spark.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.kindling.data.ImageRecord;
import org.kindling.data.batch.Batch;
import org.kindling.data.batch.BatchBuffer;
import org.kindling.data.batch.Normalization;
import org.kindling.nn.training.Learner;
import org.kindling.nn.training.ModelState;

/**
 * A model's results on labelled data: the confusion matrix and the summed cross-entropy loss.
 * {@link #of} computes it on Spark: each partition builds one {@link Learner} from the broadcast
 * state and scores its records in batches of {@value #BATCH}; the partitions' results are summed in
 * partition order on the driver, so the loss is the same for the same partitioning.
 *
 * @param confusion {@code confusion[actual][predicted]} counts, {@code classes x classes}
 * @param lossSum sum over examples of {@code -ln p(actual)} (probabilities clamped to 1e-12)
 */
public record Evaluation(long[][] confusion, double lossSum) implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int BATCH = 256;

    /** Evaluates {@code state} on {@code records}, normalised with {@code norm}. */
    public static Evaluation of(
            JavaSparkContext sc,
            JavaRDD<ImageRecord> records,
            ModelState state,
            Normalization norm) {
        return of(sc, records, null, state, norm);
    }

    /**
     * Evaluates {@code state} on {@code records} (decoded with {@code decoder} when the dataset
     * stores encoded images, see {@link org.kindling.data.ImageDataset#decoder()}).
     */
    public static Evaluation of(
            JavaSparkContext sc,
            JavaRDD<ImageRecord> records,
            org.kindling.data.RecordDecoder decoder,
            ModelState state,
            Normalization norm) {
        Broadcast<ModelState> bc = sc.broadcast(state);
        try {
            List<Evaluation> parts =
                    records.mapPartitions(
                                    it ->
                                            List.of(partition(it, decoder, bc.value(), norm))
                                                    .iterator())
                            .collect(); // partition order
            Evaluation total = empty(state.definition().numClasses());
            for (Evaluation e : parts) {
                total = total.plus(e);
            }
            return total;
        } finally {
            bc.destroy();
        }
    }

    static Evaluation partition(
            Iterator<ImageRecord> it,
            org.kindling.data.RecordDecoder decoder,
            ModelState state,
            Normalization norm) {
        int k = state.definition().numClasses();
        long[] shape = state.definition().inputShape();
        // batches of at most ~2 M input values: 256 CIFAR images, 13 at 224x224
        long pixels = shape[0] * shape[1] * shape[2];
        int batch = (int) Math.max(1, Math.min(BATCH, 2_000_000 / pixels));
        Learner learner = state.learner();
        long[][] confusion = new long[k][k];
        double loss = 0;
        List<ImageRecord> chunk = new ArrayList<>(BATCH);
        BatchBuffer batches = new BatchBuffer();
        while (it.hasNext()) {
            ImageRecord r = it.next();
            chunk.add(decoder == null ? r : decoder.decode(r));
            if (chunk.size() == batch || !it.hasNext()) {
                float[][] p;
                Batch b = batches.fill(chunk, shape, norm, k, false);
                p = learner.probabilities(b.features()).toFloatMatrix();
                for (int i = 0; i < p.length; i++) {
                    int actual = chunk.get(i).label();
                    int predicted = argmax(p[i]);
                    confusion[actual][predicted]++;
                    loss -= Math.log(Math.max(p[i][actual], 1e-12));
                }
                chunk.clear();
            }
        }
        return new Evaluation(confusion, loss);
    }

    static int argmax(float[] row) {
        int best = 0;
        for (int j = 1; j < row.length; j++) {
            if (row[j] > row[best]) best = j;
        }
        return best;
    }

    /** No examples yet. */
    public static Evaluation empty(int classes) {
        return new Evaluation(new long[classes][classes], 0);
    }

    /** Both evaluations' examples. */
    public Evaluation plus(Evaluation o) {
        long[][] c = new long[confusion.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = confusion[i].clone();
            for (int j = 0; j < c[i].length; j++) c[i][j] += o.confusion[i][j];
        }
        return new Evaluation(c, lossSum + o.lossSum);
    }

    /** Number of classes. */
    public int classes() {
        return confusion.length;
    }

    /** Number of examples. */
    public long count() {
        long n = 0;
        for (long[] row : confusion) for (long v : row) n += v;
        return n;
    }

    /** Correct predictions. */
    public long correct() {
        long n = 0;
        for (int i = 0; i < confusion.length; i++) n += confusion[i][i];
        return n;
    }

    /** Fraction correct, NaN without examples. */
    public double accuracy() {
        long n = count();
        return n == 0 ? Double.NaN : (double) correct() / n;
    }

    /** Mean cross-entropy loss, NaN without examples. */
    public double loss() {
        long n = count();
        return n == 0 ? Double.NaN : lossSum / n;
    }

    /** Examples of class {@code c}. */
    public long support(int c) {
        long n = 0;
        for (long v : confusion[c]) n += v;
        return n;
    }

    /**
     * Recall of each class (correct / examples of that class); NaN for a class without examples.
     */
    public double[] perClassAccuracy() {
        double[] a = new double[confusion.length];
        for (int c = 0; c < a.length; c++) {
            long s = support(c);
            a[c] = s == 0 ? Double.NaN : (double) confusion[c][c] / s;
        }
        return a;
    }

    /** A JSON-ready map: count, loss, accuracy, per-class accuracy (by name) and the matrix. */
    public Map<String, Object> asMap(List<String> classNames) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count());
        m.put("loss", loss());
        m.put("accuracy", accuracy());
        Map<String, Object> per = new LinkedHashMap<>();
        double[] a = perClassAccuracy();
        for (int c = 0; c < a.length; c++) {
            per.put(name(classNames, c), Double.isNaN(a[c]) ? null : a[c]);
        }
        m.put("per_class_accuracy", per);
        m.put("classes", names(classNames));
        m.put("confusion_matrix", confusion);
        return m;
    }

    /** The printable summary: loss, accuracy, per-class accuracy and the confusion matrix. */
    public String format(List<String> classNames) {
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        "%d examples: loss %.4f, accuracy %.2f%% (%d correct)%n",
                        count(), loss(), 100 * accuracy(), correct()));
        s.append("per-class accuracy:\n");
        double[] a = perClassAccuracy();
        for (int c = 0; c < a.length; c++) {
            s.append(
                    String.format(
                            "  %-14s %s  (%d examples)%n",
                            name(classNames, c),
                            Double.isNaN(a[c]) ? "   n/a" : String.format("%6.2f%%", 100 * a[c]),
                            support(c)));
        }
        s.append("confusion matrix (rows: actual, columns: predicted):\n");
        s.append(String.format("  %-14s", ""));
        for (int c = 0; c < a.length; c++) s.append(String.format(" %6d", c));
        s.append('\n');
        for (int r = 0; r < a.length; r++) {
            s.append(String.format("  %-14s", r + " " + name(classNames, r)));
            for (long v : confusion[r]) s.append(String.format(" %6d", v));
            s.append('\n');
        }
        return s.toString();
    }

    static String name(List<String> classNames, int c) {
        return classNames != null && c < classNames.size() ? classNames.get(c) : "class " + c;
    }

    static List<String> names(List<String> classNames) {
        return classNames;
    }
}
