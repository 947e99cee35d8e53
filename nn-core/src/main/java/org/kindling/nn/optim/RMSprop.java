package org.kindling.nn.optim;

import org.kindling.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * RMSprop with PyTorch 1.13's rule ({@code torch.optim.RMSprop}): {@code g += wd*p}; {@code v =
 * alpha*v + (1-alpha)*g^2}; centered: {@code gavg = alpha*gavg + (1-alpha)*g}, {@code avg = sqrt(v
 * - gavg^2) + eps}, else {@code avg = sqrt(v) + eps}; with momentum {@code buf = mu*buf + g/avg, p
 * -= lr*buf}, else {@code p -= lr*g/avg}. Defaults: lr 0.01, alpha 0.99, eps 1e-8, weight_decay 0,
 * momentum 0, centered false.
 */
public class RMSprop extends Optimizer {
    private double lr = 0.01;
    private double alpha = 0.99;
    private double eps = 1e-8;
    private double weightDecay;
    private double momentum;
    private boolean centered;

    /** {@code RMSprop(model.parameters())} with PyTorch's defaults. */
    public RMSprop(Module module) {
        super(module, "square_avg", "momentum_buffer", "grad_avg");
    }

    /** Learning rate (default 0.01). */
    public RMSprop lr(double v) {
        require(v >= 0, "lr", v, ">= 0");
        lr = v;
        return this;
    }

    /** Smoothing constant {@code alpha} (default 0.99). */
    public RMSprop alpha(double v) {
        require(v >= 0, "alpha", v, ">= 0");
        alpha = v;
        return this;
    }

    /** {@code eps} (default 1e-8). */
    public RMSprop eps(double v) {
        require(v >= 0, "eps", v, ">= 0");
        eps = v;
        return this;
    }

    /** {@code weight_decay} (default 0). */
    public RMSprop weightDecay(double v) {
        require(v >= 0, "weight_decay", v, ">= 0");
        weightDecay = v;
        return this;
    }

    /** {@code momentum} (default 0). */
    public RMSprop momentum(double v) {
        require(v >= 0, "momentum", v, ">= 0");
        momentum = v;
        return this;
    }

    /** {@code centered} (default false). */
    public RMSprop centered(boolean flag) {
        centered = flag;
        return this;
    }

    @Override
    protected void update(INDArray p, INDArray g, long t) {
        addL2(p, g, weightDecay);
        INDArray v = buffers[0];
        v.muli(alpha).addi(g.mul(g).muli(1 - alpha));
        INDArray avg;
        if (centered) {
            INDArray gavg = buffers[2];
            gavg.muli(alpha).addi(g.mul(1 - alpha));
            avg = Transforms.sqrt(v.sub(gavg.mul(gavg)), false).addi(eps);
        } else {
            avg = Transforms.sqrt(v, true).addi(eps);
        }
        if (momentum > 0) {
            INDArray buf = buffers[1];
            buf.muli(momentum).addi(g.div(avg));
            p.subi(buf.mul(lr));
        } else {
            p.subi(g.div(avg).muli(lr));
        }
    }
}
