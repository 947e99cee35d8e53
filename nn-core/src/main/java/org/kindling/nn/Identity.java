package org.kindling.nn;

/** Returns its input unchanged, like {@code torch.nn.Identity} (e.g. to remove a layer). */
public class Identity extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x;
    }

    @Override
    public long[] outputShape(long[] in) {
        return in.clone();
    }

    @Override
    protected String describe() {
        return "Identity()";
    }

    /** The spec encoding of {@code Identity} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<Identity> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("Identity", Identity.class);
        }

        @Override
        public Identity fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new Identity();
        }
    }
}
