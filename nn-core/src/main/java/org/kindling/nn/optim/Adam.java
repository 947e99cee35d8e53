package org.kindling.nn.optim;

import org.kindling.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam with PyTorch 1.13's rule ({@code torch.optim.Adam}): {@code g += wd*p} (L2); {@code m = b1*m
 * + (1-b1)*g}; {@code v = b2*v + (1-b2)*g^2}; with amsgrad {@code vmax = max(vmax, v)} replaces v;
 * {@code p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)}. Defaults: lr 1e-3, betas (0.9,
 * 0.999), eps 1e-8, weight_decay 0, amsgrad false. {@link AdamW} decouples the weight decay.
 */
public class Adam extends Optimizer {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weightDecay;
    boolean amsgrad;

    /** {@code Adam(model.parameters())} with PyTorch's defaults. */
    public Adam(Module module) {
        super(module, "exp_avg", "exp_avg_sq", "max_exp_avg_sq");
    }

    /** {@code Adam(model.parameters(), lr)}. */
    public Adam(Module module, double lr) {
        this(module);
        lr(lr);
    }

    /** Learning rate (default 1e-3). */
    public Adam lr(double v) {
        require(v >= 0, "lr", v, ">= 0");
        lr = v;
        return this;
    }

    /** {@code betas} (default 0.9, 0.999), each in [0, 1). */
    public Adam betas(double b1, double b2) {
        require(b1 >= 0 && b1 < 1, "betas[0]", b1, "in [0, 1)");
        require(b2 >= 0 && b2 < 1, "betas[1]", b2, "in [0, 1)");
        beta1 = b1;
        beta2 = b2;
        return this;
    }

    /** {@code eps} (default 1e-8). */
    public Adam eps(double v) {
        require(v >= 0, "eps", v, ">= 0");
        eps = v;
        return this;
    }

    /** {@code weight_decay} (default 0; AdamW: 0.01). */
    public Adam weightDecay(double v) {
        require(v >= 0, "weight_decay", v, ">= 0");
        weightDecay = v;
        return this;
    }

    /** {@code amsgrad} (default false). */
    public Adam amsgrad(boolean flag) {
        amsgrad = flag;
        return this;
    }

    /** Applies weight decay: L2 added to the gradient (Adam) or decoupled (AdamW). */
    void decay(INDArray p, INDArray g) {
        addL2(p, g, weightDecay);
    }

    @Override
    protected void update(INDArray p, INDArray g, long t) {
        decay(p, g);
        INDArray m = buffers[0];
        INDArray v = buffers[1];
        m.muli(beta1).addi(g.mul(1 - beta1));
        v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        INDArray second = v;
        if (amsgrad) {
            INDArray vmax = buffers[2];
            vmax.assign(Transforms.max(vmax, v, true));
            second = vmax;
        }
        INDArray denom = Transforms.sqrt(second, true).divi(Math.sqrt(bc2)).addi(eps);
        p.subi(m.div(denom).muli(lr / bc1));
    }
}
