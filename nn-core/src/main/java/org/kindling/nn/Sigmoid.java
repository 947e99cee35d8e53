package org.kindling.nn;

import org.kindling.nn.functional.F;

/** {@code 1 / (1 + exp(-x))} element-wise, like {@code torch.nn.Sigmoid}. */
public class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return F.sigmoid(x);
    }

    @Override
    public long[] outputShape(long[] in) {
        return in.clone();
    }

    @Override
    protected String describe() {
        return "Sigmoid()";
    }

    /** The spec encoding of {@code Sigmoid} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<Sigmoid> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("Sigmoid", Sigmoid.class);
        }

        @Override
        public Sigmoid fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new Sigmoid();
        }
    }
}
