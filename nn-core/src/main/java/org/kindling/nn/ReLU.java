package org.kindling.nn;

import org.kindling.nn.functional.F;

/** {@code max(x, 0)} element-wise, like {@code torch.nn.ReLU}. Any shape; output same shape. */
public class ReLU extends Module {
    private final boolean inplace;

    /** {@code ReLU()}. */
    public ReLU() {
        this(false);
    }

    /**
     * {@code ReLU(inplace)}. Kindling never overwrites a tensor that autograd still needs, so
     * {@code inplace} only changes how the module prints; results are identical.
     */
    public ReLU(boolean inplace) {
        this.inplace = inplace;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.relu(x);
    }

    @Override
    public long[] outputShape(long[] in) {
        return in.clone();
    }

    @Override
    protected com.google.gson.JsonObject config() {
        com.google.gson.JsonObject c = new com.google.gson.JsonObject();
        c.addProperty("inplace", inplace);
        return c;
    }

    @Override
    protected String describe() {
        return inplace ? "ReLU(inplace=True)" : "ReLU()";
    }

    /** The spec encoding of {@code ReLU} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<ReLU> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("ReLU", ReLU.class);
        }

        @Override
        public ReLU fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new ReLU(c.bool("inplace", false));
        }
    }
}
