package org.kindling.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Like {@code torch.nn.Dropout(p=0.5)}: in training mode zeroes each element with probability
 * {@code p} and scales the rest by {@code 1/(1-p)}; in eval mode the identity.
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
                Nd4j.rand(in.dataType(), in.shape()).gt(p).castTo(in.dataType()).divi(1 - p);
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
}
