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
}
