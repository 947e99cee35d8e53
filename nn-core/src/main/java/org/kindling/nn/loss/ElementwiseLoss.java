package org.kindling.nn.loss;

import java.util.Arrays;
import org.kindling.nn.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** {@link L1Loss} and {@link MSELoss}: a per-element loss of {@code input - target}, reduced. */
abstract class ElementwiseLoss implements Loss {
    private final Reduction reduction;

    ElementwiseLoss(Reduction reduction) {
        this.reduction = reduction;
    }

    /** Per-element loss of the difference d. */
    abstract INDArray value(INDArray d);

    /** Per-element derivative w.r.t. the input of the difference d. */
    abstract INDArray derivative(INDArray d);

    @Override
    public Tensor forward(Tensor input, INDArray target) {
        INDArray x = input.data();
        if (!Arrays.equals(x.shape(), target.shape())) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName()
                            + ": input shape "
                            + Arrays.toString(x.shape())
                            + " and target shape "
                            + Arrays.toString(target.shape())
                            + " must be equal");
        }
        INDArray d = x.sub(target.castTo(x.dataType()));
        INDArray per = value(d);
        long n = x.length();
        INDArray out =
                switch (reduction) {
                    case NONE -> per;
                    case SUM -> Nd4j.scalar(x.dataType(), per.sumNumber().doubleValue());
                    case MEAN -> Nd4j.scalar(x.dataType(), per.sumNumber().doubleValue() / n);
                };
        return Tensor.derived(
                out,
                g -> {
                    INDArray dx = derivative(d);
                    if (reduction == Reduction.NONE) {
                        return new INDArray[] {dx.muli(g)};
                    }
                    double scale = g.getDouble(0) / (reduction == Reduction.MEAN ? n : 1);
                    return new INDArray[] {dx.muli(scale)};
                },
                input);
    }

    static INDArray sign(INDArray d) {
        return Transforms.sign(d, true);
    }
}
