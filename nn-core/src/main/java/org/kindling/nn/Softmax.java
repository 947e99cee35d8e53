package org.kindling.nn;

import java.util.Arrays;
import org.kindling.nn.functional.F;

/** Like {@code torch.nn.Softmax(dim=1)} on [N, C] input (the class dimension). */
public class Softmax extends Module {
    /** {@code Softmax(dim=1)}. */
    public Softmax() {}

    @Override
    public Tensor forward(Tensor x) {
        outputShape(x.shape());
        return F.softmax(x);
    }

    @Override
    public long[] outputShape(long[] in) {
        if (in.length != 2) {
            throw new IllegalArgumentException(
                    describe() + " expects input [N, C] but got shape " + Arrays.toString(in));
        }
        return in.clone();
    }

    @Override
    protected String describe() {
        return "Softmax(dim=1)";
    }

    /** The spec encoding of {@code Softmax} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<Softmax> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("Softmax", Softmax.class);
        }

        @Override
        public Softmax fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new Softmax();
        }
    }
}
