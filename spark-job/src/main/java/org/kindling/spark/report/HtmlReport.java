package org.kindling.spark.report;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.kindling.data.ImageDataset;
import org.kindling.spark.TrainingConfig;
import org.kindling.spark.TrainingJob;
import org.kindling.spark.eval.Evaluation;
import org.kindling.spark.eval.SavedModel;
import org.kindling.spark.io.ModelStore;

/**
 * The end-of-training report, one self-contained HTML file (inline CSS and SVG, no scripts or
 * external files, so it opens offline and can be attached anywhere): a summary, loss and test
 * accuracy per epoch (table and charts), per-class accuracy and the confusion matrix on the test
 * set, the training configuration and the model's provenance.
 *
 * @param title the page title and heading
 * @param epochLoss mean training loss per epoch
 * @param epochAccuracy test accuracy per epoch (NaN without test data)
 * @param test the trained model on the test set, or null without test data
 * @param classNames class names in label order, or null
 * @param config the training configuration
 * @param provenance the model's provenance (as saved with it)
 */
public record HtmlReport(
        String title,
        List<Double> epochLoss,
        List<Double> epochAccuracy,
        Evaluation test,
        List<String> classNames,
        Map<String, Object> config,
        Map<String, Object> provenance) {

    /**
     * The report of a finished run: evaluates the trained model on the test set (distributed,
     * {@link Evaluation#of}) for the per-class accuracy and confusion matrix.
     */
    @SuppressWarnings("unchecked")
    public static HtmlReport of(
            JavaSparkContext sc, TrainingConfig cfg, TrainingJob.Outcome outcome) {
        ImageDataset data = outcome.data();
        Evaluation test =
                data.test() == null
                        ? null
                        : Evaluation.of(
                                sc,
                                data.test(),
                                data.decoder(),
                                outcome.model(),
                                data.normalization());
        Object names = outcome.provenance().get(SavedModel.CLASSES);
        return new HtmlReport(
                "Kindling training report: "
                        + outcome.model().definition().name()
                        + " on "
                        + cfg.dataset(),
                outcome.result().epochLoss(),
                outcome.result().testAccuracy(),
                test,
                names instanceof List<?> l ? (List<String>) l : null,
                cfg.asMap(),
                outcome.provenance());
    }

    /** {@code <output>.report.html}. */
    public static String pathFor(String output) {
        return output + ".report.html";
    }

    /** Writes the report to {@code uri} (any Hadoop URI) atomically. */
    public void write(String uri, Configuration conf) throws IOException {
        byte[] html = render().getBytes(StandardCharsets.UTF_8);
        ModelStore.writeAtomically(uri, conf, o -> o.write(html));
    }

    /** The page. */
    public String render() {
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        s.append("<title>").append(Html.escape(title)).append("</title>");
        s.append(
                "<style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}"
                        + "table{border-collapse:collapse;margin:8px 0 16px}"
                        + "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}"
                        + "th{background:#f3f3f3}td.k,th.k{text-align:left}"
                        + "h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}"
                        + ".charts{display:flex;flex-wrap:wrap;gap:16px}"
                        + "code{font-size:12px;word-break:break-all}</style>");
        s.append("</head><body>\n");
        s.append("<h1>").append(Html.escape(title)).append("</h1>\n");
        summary(s);
        epochs(s);
        if (test != null) {
            perClass(s);
            confusion(s);
        }
        table(s, "Configuration", "configuration", config);
        table(s, "Provenance", "provenance", provenance);
        s.append("</body></html>\n");
        return s.toString();
    }

    private void summary(StringBuilder s) {
        int n = epochLoss.size();
        s.append("<p id=\"summary\">");
        s.append(n).append(n == 1 ? " epoch" : " epochs");
        if (n > 0) {
            s.append(", final mean training loss ").append(num(epochLoss.get(n - 1)));
        }
        if (test != null) {
            s.append(", test accuracy ")
                    .append(pct(test.accuracy()))
                    .append(" (")
                    .append(test.correct())
                    .append(" of ")
                    .append(test.count())
                    .append(" test images), test loss ")
                    .append(num(test.loss()));
        } else {
            s.append(", no test data");
        }
        s.append(".</p>\n");
    }

    private void epochs(StringBuilder s) {
        s.append("<h2>Loss and accuracy per epoch</h2>\n<div class=\"charts\">");
        s.append(Svg.lineChart("Mean training loss", "epoch", epochLoss, "#c2413b", false));
        s.append(Svg.lineChart("Test accuracy", "epoch", epochAccuracy, "#3b78c2", true));
        s.append(
                "</div>\n<table id=\"epochs\"><tr><th>epoch</th><th>train loss</th><th>test accuracy</th></tr>");
        for (int i = 0; i < epochLoss.size(); i++) {
            double acc = i < epochAccuracy.size() ? epochAccuracy.get(i) : Double.NaN;
            s.append("<tr><td>")
                    .append(i + 1)
                    .append("</td><td>")
                    .append(num(epochLoss.get(i)))
                    .append("</td><td>")
                    .append(pct(acc))
                    .append("</td></tr>");
        }
        s.append("</table>\n");
    }

    private void perClass(StringBuilder s) {
        double[] a = test.perClassAccuracy();
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < a.length; c++) labels.add(name(c));
        s.append("<h2>Per-class accuracy (test set)</h2>\n");
        s.append(Svg.bars("Accuracy per class", labels, a));
        s.append(
                "<table id=\"per-class\"><tr><th class=\"k\">class</th><th>accuracy</th><th>correct</th><th>images</th></tr>");
        for (int c = 0; c < a.length; c++) {
            s.append("<tr><td class=\"k\">")
                    .append(Html.escape(labels.get(c)))
                    .append("</td><td>")
                    .append(pct(a[c]))
                    .append("</td><td>")
                    .append(test.confusion()[c][c])
                    .append("</td><td>")
                    .append(test.support(c))
                    .append("</td></tr>");
        }
        s.append("</table>\n");
    }

    private void confusion(StringBuilder s) {
        long[][] m = test.confusion();
        long max = 1;
        for (long[] row : m) for (long v : row) max = Math.max(max, v);
        s.append("<h2>Confusion matrix (test set)</h2>\n");
        s.append("<p>Rows: actual class; columns: predicted class. ")
                .append(test.count())
                .append(
                        " images.</p>\n<table id=\"confusion\"><tr><th class=\"k\">actual \\ predicted</th>");
        for (int c = 0; c < m.length; c++) {
            s.append("<th>").append(Html.escape(name(c))).append("</th>");
        }
        s.append("</tr>");
        for (int r = 0; r < m.length; r++) {
            s.append("<tr><th class=\"k\">").append(Html.escape(name(r))).append("</th>");
            for (int c = 0; c < m.length; c++) {
                double heat = (double) m[r][c] / max;
                String bg =
                        r == c
                                ? String.format(
                                        Locale.ROOT, "rgba(59,120,194,%.2f)", 0.1 + 0.8 * heat)
                                : String.format(Locale.ROOT, "rgba(194,65,59,%.2f)", 0.8 * heat);
                s.append("<td class=\"cell\" style=\"background:")
                        .append(bg)
                        .append("\">")
                        .append(m[r][c])
                        .append("</td>");
            }
            s.append("</tr>");
        }
        s.append("</table>\n");
    }

    private static void table(StringBuilder s, String heading, String id, Map<String, Object> m) {
        s.append("<h2>").append(heading).append("</h2>\n<table id=\"").append(id).append("\">");
        Gson gson = new Gson();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            String text = v instanceof String str ? str : gson.toJson(v);
            s.append("<tr><td class=\"k\">")
                    .append(Html.escape(e.getKey()))
                    .append("</td><td class=\"k\"><code>")
                    .append(Html.escape(text))
                    .append("</code></td></tr>");
        }
        s.append("</table>\n");
    }

    private String name(int c) {
        return classNames != null && c < classNames.size() ? classNames.get(c) : String.valueOf(c);
    }

    /** A loss as the report prints it. */
    static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "n/a";
    }

    /** An accuracy as the report prints it. */
    static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f%%", 100 * v) : "n/a";
    }
}
