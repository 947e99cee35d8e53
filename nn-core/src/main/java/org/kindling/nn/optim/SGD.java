package org.kindling.nn.optim;

import org.kindling.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stochastic gradient descent with PyTorch 1.13's rule ({@code torch.optim.SGD}): {@code g +=
 * wd*p}; with momentum {@code buf = g} on the first step, then {@code buf = momentum*buf +
 * (1-dampening)*g}; {@code g = nesterov ? g + momentum*buf : buf}; {@code p -= lr*g}. Defaults:
 * momentum 0, dampening 0, weight_decay 0, nesterov false; {@code lr} is required.
 */
public class SGD extends Optimizer {
    private final double lr;
    private double momentum;
    private double dampening;
    private double weightDecay;
    private boolean nesterov;

    /** {@code SGD(model.parameters(), lr)}. */
    public SGD(Module module, double lr) {
        super(module, "momentum_buffer");
        require(lr >= 0, "lr", lr, ">= 0");
        this.lr = lr;
    }

    /** {@code SGD(model.parameters(), lr, momentum)}. */
    public SGD(Module module, double lr, double momentum) {
        this(module, lr);
        momentum(momentum);
    }

    /** {@code momentum} (default 0). */
    public SGD momentum(double m) {
        require(m >= 0, "momentum", m, ">= 0");
        momentum = m;
        return this;
    }

    /** {@code dampening} (default 0). */
    public SGD dampening(double d) {
        dampening = d;
        return this;
    }

    /** {@code weight_decay} (L2 penalty, default 0). */
    public SGD weightDecay(double wd) {
        require(wd >= 0, "weight_decay", wd, ">= 0");
        weightDecay = wd;
        return this;
    }

    /** {@code nesterov} (default false; needs momentum > 0 and dampening 0). */
    public SGD nesterov(boolean flag) {
        if (flag && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException(
                    "Nesterov momentum requires a momentum and zero dampening, but momentum="
                            + momentum
                            + ", dampening="
                            + dampening);
        }
        nesterov = flag;
        return this;
    }

    /** The learning rate. */
    public double lr() {
        return lr;
    }

    @Override
    protected void update(INDArray p, INDArray g, long t) {
        addL2(p, g, weightDecay);
        if (momentum != 0) {
            INDArray buf = buffers[0];
            if (t == 1) {
                buf.assign(g);
            } else {
                buf.muli(momentum).addi(g.mul(1 - dampening));
            }
            if (nesterov) {
                g.addi(buf.mul(momentum));
            } else {
                g.assign(buf);
            }
        }
        p.subi(g.muli(lr));
    }

    @Override
    public String toString() {
        return "SGD(lr="
                + lr
                + ", momentum="
                + momentum
                + ", dampening="
                + dampening
                + ", weight_decay="
                + weightDecay
                + ", nesterov="
                + nesterov
                + ")";
    }
}
