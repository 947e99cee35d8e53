package org.kindling.nn.loss;

/** How a loss combines per-element values, PyTorch's {@code reduction}. */
public enum Reduction {
    /** Per-element losses, no reduction. */
    NONE,
    /** The mean (the default). */
    MEAN,
    /** The sum. */
    SUM;

    /** Parses PyTorch's spelling: none, mean, sum. */
    public static Reduction parse(String s) {
        for (Reduction r : values()) {
            if (r.name().equalsIgnoreCase(s)) {
                return r;
            }
        }
        throw new IllegalArgumentException(
                "reduction must be one of none, mean, sum but was: '" + s + "'");
    }
}
