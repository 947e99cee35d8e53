package org.kindling.nn.optim;

import org.kindling.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adagrad with PyTorch 1.13's rule ({@code torch.optim.Adagrad}): {@code g += wd*p}; {@code clr =
 * lr / (1 + (t-1)*lr_decay)}; {@code sum += g^2}; {@code p -= clr * g / (sqrt(sum) + eps)}.
 * Defaults: lr 0.01, lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10.
 */
public class Adagrad extends Optimizer {
    private double lr = 0.01;
    private double lrDecay;
    private double weightDecay;
    private double eps = 1e-10;

    /** {@code Adagrad(model.parameters())} with PyTorch's defaults. */
    public Adagrad(Module module) {
        super(module, "sum");
    }

    /** Learning rate (default 0.01). */
    public Adagrad lr(double v) {
        require(v >= 0, "lr", v, ">= 0");
        lr = v;
        return this;
    }

    /** {@code lr_decay} (default 0). */
    public Adagrad lrDecay(double v) {
        require(v >= 0, "lr_decay", v, ">= 0");
        lrDecay = v;
        return this;
    }

    /** {@code weight_decay} (default 0). */
    public Adagrad weightDecay(double v) {
        require(v >= 0, "weight_decay", v, ">= 0");
        weightDecay = v;
        return this;
    }

    /** {@code initial_accumulator_value} (default 0); sets the accumulator now. */
    public Adagrad initialAccumulatorValue(double v) {
        require(v >= 0, "initial_accumulator_value", v, ">= 0");
        buffers[0].assign(v);
        return this;
    }

    /** {@code eps} (default 1e-10). */
    public Adagrad eps(double v) {
        require(v >= 0, "eps", v, ">= 0");
        eps = v;
        return this;
    }

    @Override
    protected void update(INDArray p, INDArray g, long t) {
        addL2(p, g, weightDecay);
        double clr = lr / (1 + (t - 1) * lrDecay);
        INDArray sum = buffers[0];
        sum.addi(g.mul(g));
        p.subi(g.div(Transforms.sqrt(sum, true).addi(eps)).muli(clr));
    }
}
