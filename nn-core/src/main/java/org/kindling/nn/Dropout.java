package org.kindling.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Like {@code torch.nn.Dropout(p=0.5)}: in training mode zeroes each element with probability
 * {@code p} and scales the rest by {@code 1/(1-p)}; in eval mode the identity. The mask is drawn
 * from the {@linkplain Generator#current() current generator} (the trainer's, seeded by the run).
 */
public class Dropout extends Module {
    private final double p;

    /** {@code Dropout()}: p = 0.5. */
    public Dropout() {
        this(0.5);
    }

    /** {@code Dropout(p)}, p in [0, 1). */
    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1) but was: " + p);
        }
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        INDArray in = x.data();
        INDArray mask =
                Generator.current()
                        .uniform(in.dataType(), in.shape())
                        .gt(p)
                        .castTo(in.dataType())
                        .divi(1 - p);
        return Tensor.derived(in.mul(mask), g -> new INDArray[] {g.mul(mask)}, x);
    }

    @Override
    public long[] outputShape(long[] in) {
        return in.clone();
    }

    @Override
    protected com.google.gson.JsonObject config() {
        com.google.gson.JsonObject c = new com.google.gson.JsonObject();
        c.addProperty("p", p);
        return c;
    }

    @Override
    protected String describe() {
        return "Dropout(p=" + p + ", inplace=False)";
    }

    /** The spec encoding of {@code Dropout} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<Dropout> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("Dropout", Dropout.class);
        }

        @Override
        public Dropout fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new Dropout(c.d("p"));
        }
    }
}
