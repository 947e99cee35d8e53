package org.kindling.nn.optim;

import org.kindling.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adadelta with PyTorch 1.13's rule ({@code torch.optim.Adadelta}): {@code g += wd*p}; {@code v =
 * rho*v + (1-rho)*g^2}; {@code delta = sqrt(u + eps)/sqrt(v + eps) * g}; {@code u = rho*u +
 * (1-rho)*delta^2}; {@code p -= lr*delta}. Defaults: lr 1.0, rho 0.9, eps 1e-6, weight_decay 0.
 */
public class Adadelta extends Optimizer {
    private double lr = 1.0;
    private double rho = 0.9;
    private double eps = 1e-6;
    private double weightDecay;

    /** {@code Adadelta(model.parameters())} with PyTorch's defaults. */
    public Adadelta(Module module) {
        super(module, "square_avg", "acc_delta");
    }

    /** Learning rate (default 1.0). */
    public Adadelta lr(double v) {
        require(v >= 0, "lr", v, ">= 0");
        lr = v;
        return this;
    }

    /** {@code rho} in [0, 1] (default 0.9). */
    public Adadelta rho(double v) {
        require(v >= 0 && v <= 1, "rho", v, "in [0, 1]");
        rho = v;
        return this;
    }

    /** {@code eps} (default 1e-6). */
    public Adadelta eps(double v) {
        require(v >= 0, "eps", v, ">= 0");
        eps = v;
        return this;
    }

    /** {@code weight_decay} (default 0). */
    public Adadelta weightDecay(double v) {
        require(v >= 0, "weight_decay", v, ">= 0");
        weightDecay = v;
        return this;
    }

    @Override
    protected void update(INDArray p, INDArray g, long t) {
        addL2(p, g, weightDecay);
        INDArray v = buffers[0];
        INDArray u = buffers[1];
        v.muli(rho).addi(g.mul(g).muli(1 - rho));
        INDArray std = Transforms.sqrt(v.add(eps), false);
        INDArray delta = Transforms.sqrt(u.add(eps), false).divi(std).muli(g);
        u.muli(rho).addi(delta.mul(delta).muli(1 - rho));
        p.subi(delta.mul(lr));
    }
}
