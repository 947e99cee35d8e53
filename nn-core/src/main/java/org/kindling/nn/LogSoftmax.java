package org.kindling.nn;

import java.util.Arrays;
import org.kindling.nn.functional.F;

/** Like {@code torch.nn.LogSoftmax(dim=1)} on [N, C] input (the class dimension). */
public class LogSoftmax extends Module {
    /** {@code LogSoftmax(dim=1)}. */
    public LogSoftmax() {}

    @Override
    public Tensor forward(Tensor x) {
        outputShape(x.shape());
        return F.logSoftmax(x);
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
        return "LogSoftmax(dim=1)";
    }

    /** The spec encoding of {@code LogSoftmax} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<LogSoftmax> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("LogSoftmax", LogSoftmax.class);
        }

        @Override
        public LogSoftmax fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new LogSoftmax();
        }
    }
}
