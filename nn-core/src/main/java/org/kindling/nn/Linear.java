package org.kindling.nn;

import java.util.Arrays;
import org.kindling.nn.functional.F;

/**
 * Fully connected layer {@code y = x W^T + b}, like {@code torch.nn.Linear}: input [N,
 * in_features], output [N, out_features]; weight [out_features, in_features], bias [out_features],
 * both from {@code U(-1/sqrt(in_features), 1/sqrt(in_features))}.
 */
public class Linear extends Module {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    /** {@code Linear(in_features, out_features)} with bias. */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    /** {@code Linear(in_features, out_features, bias)}. */
    public Linear(int inFeatures, int outFeatures, boolean bias) {
        if (inFeatures <= 0) {
            throw new IllegalArgumentException(
                    "Linear: in_features must be > 0 but was: " + inFeatures);
        }
        if (outFeatures <= 0) {
            throw new IllegalArgumentException(
                    "Linear: out_features must be > 0 but was: " + outFeatures);
        }
        this.in = inFeatures;
        this.out = outFeatures;
        double bound = 1 / Math.sqrt(inFeatures);
        this.weight = registerParameter("weight", Init.uniform(bound, outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Init.uniform(bound, outFeatures)) : null;
    }

    /** The weight [out_features, in_features]. */
    public Parameter weight() {
        return weight;
    }

    /** The bias [out_features], or null. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        outputShape(x.shape());
        return F.linear(x, weight.tensor(), bias == null ? null : bias.tensor());
    }

    @Override
    public long[] outputShape(long[] shape) {
        if (shape.length != 2 || shape[1] != in) {
            throw new IllegalArgumentException(
                    describe()
                            + " expects input [N, "
                            + in
                            + "] but got shape "
                            + Arrays.toString(shape)
                            + (shape.length > 2 ? "; add a Flatten() before it" : ""));
        }
        return new long[] {shape[0], out};
    }

    @Override
    protected com.google.gson.JsonObject config() {
        com.google.gson.JsonObject c = new com.google.gson.JsonObject();
        c.addProperty("in_features", in);
        c.addProperty("out_features", out);
        c.addProperty("bias", bias != null);
        return c;
    }

    @Override
    protected String describe() {
        return "Linear(in_features="
                + in
                + ", out_features="
                + out
                + ", bias="
                + (bias != null ? "True" : "False")
                + ")";
    }

    /** The spec encoding of {@code Linear} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<Linear> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("Linear", Linear.class);
        }

        @Override
        public Linear fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new Linear(c.i("in_features"), c.i("out_features"), c.bool("bias"));
        }
    }
}
