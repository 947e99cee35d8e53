package org.kindling.nn;

import org.kindling.nn.functional.F;

/**
 * Flattens dimensions {@code start_dim..end_dim} (defaults 1 and -1), like {@code
 * torch.nn.Flatten}: [N, C, H, W] becomes [N, C*H*W] in (c, h, w) order.
 */
public class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    /** {@code Flatten()}: start_dim=1, end_dim=-1. */
    public Flatten() {
        this(1, -1);
    }

    /** {@code Flatten(start_dim, end_dim)}. */
    public Flatten(int startDim, int endDim) {
        // With the same sign the order is known before the input's rank is.
        if ((startDim >= 0) == (endDim >= 0) && startDim > endDim) {
            throw new IllegalArgumentException(
                    "Flatten: start_dim must not come after end_dim, but start_dim="
                            + startDim
                            + ", end_dim="
                            + endDim);
        }
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.flatten(x, startDim, endDim);
    }

    @Override
    public long[] outputShape(long[] in) {
        int r = in.length;
        int a = startDim < 0 ? r + startDim : startDim;
        int b = endDim < 0 ? r + endDim : endDim;
        if (a < 0 || b >= r || a > b) {
            throw new IllegalArgumentException(describe() + " does not fit an input of rank " + r);
        }
        long[] out = new long[r - (b - a)];
        int k = 0;
        for (int i = 0; i < a; i++) out[k++] = in[i];
        long prod = 1;
        for (int i = a; i <= b; i++) prod *= in[i];
        out[k++] = prod;
        for (int i = b + 1; i < r; i++) out[k++] = in[i];
        return out;
    }

    @Override
    protected com.google.gson.JsonObject config() {
        com.google.gson.JsonObject c = new com.google.gson.JsonObject();
        c.addProperty("start_dim", startDim);
        c.addProperty("end_dim", endDim);
        return c;
    }

    @Override
    protected String describe() {
        return "Flatten(start_dim=" + startDim + ", end_dim=" + endDim + ")";
    }

    /** The spec encoding of {@code Flatten} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<Flatten> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("Flatten", Flatten.class);
        }

        @Override
        public Flatten fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new Flatten(c.i("start_dim"), c.i("end_dim"));
        }
    }
}
