package org.kindling.spark.report;

import java.util.List;
import java.util.Locale;

/** Small inline SVG charts for the HTML report (no scripts, no external files). */
final class Svg {
    private static final int W = 520;
    private static final int H = 260;
    private static final int L = 60;
    private static final int R = 20;
    private static final int T = 30;
    private static final int B = 40;

    private Svg() {}

    /**
     * A line chart of {@code y[i]} against {@code i + 1} (epochs), with a dot and its value at
     * every point; NaN values are left out.
     */
    static String lineChart(
            String title, String xLabel, List<Double> y, String color, boolean percent) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : y) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
                        W,
                        H,
                        Html.escape(title)));
        s.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>",
                        L,
                        Html.escape(title)));
        s.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
                                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>",
                        L,
                        H - B,
                        W - R,
                        H - B,
                        L,
                        T,
                        L,
                        H - B));
        s.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>",
                        (L + W - R) / 2,
                        H - 6,
                        Html.escape(xLabel)));
        if (lo == Double.POSITIVE_INFINITY) {
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\" font-size=\"12\">no data</text>",
                            L + 10,
                            H / 2));
            return s.append("</svg>").toString();
        }
        if (hi - lo < 1e-9) {
            hi = lo + Math.max(1e-3, Math.abs(lo) * 0.1);
            lo = lo - Math.max(1e-3, Math.abs(lo) * 0.1);
        }
        double pad = (hi - lo) * 0.1;
        lo -= pad;
        hi += pad;
        for (int t = 0; t <= 4; t++) {
            double v = lo + (hi - lo) * t / 4;
            double yy = yOf(v, lo, hi);
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                            L,
                            yy,
                            W - R,
                            yy,
                            L - 4,
                            yy + 4,
                            percent
                                    ? String.format(Locale.ROOT, "%.1f%%", 100 * v)
                                    : String.format(Locale.ROOT, "%.3f", v)));
        }
        int n = y.size();
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < n; i++) {
            double v = y.get(i);
            if (!Double.isFinite(v)) continue;
            double xx = xOf(i, n);
            double yy = yOf(v, lo, hi);
            path.append(path.length() == 0 ? "M" : " L")
                    .append(String.format(Locale.ROOT, "%.1f %.1f", xx, yy));
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>"
                                    + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">%s</text>"
                                    + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%d</text>",
                            xx,
                            yy,
                            color,
                            xx,
                            yy - 8,
                            percent
                                    ? String.format(Locale.ROOT, "%.2f%%", 100 * v)
                                    : String.format(Locale.ROOT, "%.4f", v),
                            xx,
                            H - B + 15,
                            i + 1));
        }
        s.append(
                String.format(
                        "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>",
                        path, color));
        return s.append("</svg>").toString();
    }

    /** Horizontal bars of values in [0, 1], one per label. */
    static String bars(String title, List<String> labels, double[] values) {
        int rowH = 20;
        int h = T + rowH * values.length + 10;
        int labelW = 120;
        int barW = W - labelW - 80;
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">"
                                + "<text x=\"4\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>",
                        W,
                        h,
                        Html.escape(title),
                        Html.escape(title)));
        for (int i = 0; i < values.length; i++) {
            int y = T + i * rowH;
            double v = Double.isNaN(values[i]) ? 0 : values[i];
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">%s</text>"
                                    + "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#eee\"/>"
                                    + "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#3b78c2\"/>"
                                    + "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>",
                            labelW - 6,
                            y + 13,
                            Html.escape(labels.get(i)),
                            labelW,
                            y + 2,
                            barW,
                            rowH - 6,
                            labelW,
                            y + 2,
                            barW * v,
                            rowH - 6,
                            labelW + barW + 6,
                            y + 13,
                            Double.isNaN(values[i])
                                    ? "n/a"
                                    : String.format(Locale.ROOT, "%.2f%%", 100 * values[i])));
        }
        return s.append("</svg>").toString();
    }

    private static double xOf(int i, int n) {
        return n == 1 ? (L + W - R) / 2.0 : L + 20 + (W - R - L - 40) * (double) i / (n - 1);
    }

    private static double yOf(double v, double lo, double hi) {
        return (H - B) - (H - B - T) * (v - lo) / (hi - lo);
    }
}
