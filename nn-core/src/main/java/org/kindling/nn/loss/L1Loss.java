package org.kindling.nn.loss;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Mean absolute error {@code |input - target|}, like {@code nn.L1Loss}; input and target have the
 * same shape. Gradient {@code sign(input - target)} with sign(0) = 0.
 */
public class L1Loss extends ElementwiseLoss {
    /** {@code L1Loss()} with reduction mean. */
    public L1Loss() {
        this(Reduction.MEAN);
    }

    /** {@code L1Loss(reduction)}. */
    public L1Loss(Reduction reduction) {
        super(reduction);
    }

    @Override
    INDArray value(INDArray d) {
        return Transforms.abs(d, true);
    }

    @Override
    INDArray derivative(INDArray d) {
        return sign(d);
    }
}
