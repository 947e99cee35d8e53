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
}
