package org.kindling.nn.optim;

import org.kindling.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AdamW ({@code torch.optim.AdamW}): first {@code p *= 1 - lr*weight_decay} (decoupled), then the
 * Adam update without L2. Defaults as Adam, except weight_decay 0.01.
 */
public class AdamW extends Adam {
    /** {@code AdamW(model.parameters())}: lr 1e-3, weight_decay 0.01. */
    public AdamW(Module module) {
        super(module);
        weightDecay(0.01);
    }

    /** {@code AdamW(model.parameters(), lr)}. */
    public AdamW(Module module, double lr) {
        this(module);
        lr(lr);
    }

    @Override
    void decay(INDArray p, INDArray g) {
        p.muli(1 - lr * weightDecay);
    }
}
