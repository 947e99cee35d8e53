package org.kindling.nn.loss;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mean squared error {@code (input - target)^2}, like {@code nn.MSELoss}. Gradient {@code 2(input -
 * target)}.
 */
public class MSELoss extends ElementwiseLoss {
    /** {@code MSELoss()} with reduction mean. */
    public MSELoss() {
        this(Reduction.MEAN);
    }

    /** {@code MSELoss(reduction)}. */
    public MSELoss(Reduction reduction) {
        super(reduction);
    }

    @Override
    INDArray value(INDArray d) {
        return d.mul(d);
    }

    @Override
    INDArray derivative(INDArray d) {
        return d.mul(2);
    }
}
