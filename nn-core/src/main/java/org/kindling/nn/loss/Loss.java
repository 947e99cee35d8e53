package org.kindling.nn.loss;

import org.kindling.nn.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss function: {@code loss.forward(output, target)} returns a tensor (a scalar unless the
 * reduction is {@code none}) on which {@link Tensor#backward()} computes the gradients.
 */
public interface Loss {
    /**
     * @param input the model output (e.g. logits [N, C])
     * @param target the target (class indices or values; see each loss)
     */
    Tensor forward(Tensor input, INDArray target);

    /** {@code nn.CrossEntropyLoss()}. */
    static CrossEntropyLoss crossEntropy() {
        return new CrossEntropyLoss();
    }
}
