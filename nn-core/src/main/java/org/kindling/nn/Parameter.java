package org.kindling.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A learnable tensor of a module, like {@code torch.nn.Parameter}: its value, its gradient (same
 * shape, accumulated by {@link Tensor#backward()}, cleared by {@code zero_grad}) and whether it is
 * trained ({@code requires_grad}).
 *
 * <p>Values and gradients may be views into one flat buffer shared by all parameters of a model
 * (see {@link ParameterVector}); writing through {@link #data()} changes the model.
 */
public final class Parameter {
    private INDArray data;
    private INDArray grad;
    private boolean requiresGrad = true;

    /** A parameter holding {@code data} (not copied). */
    public Parameter(INDArray data) {
        this.data = data;
        this.grad = data.ulike().assign(0);
    }

    /** The value, in PyTorch's layout (e.g. conv weight [out, in/groups, kH, kW]). */
    public INDArray data() {
        return data;
    }

    /** The accumulated gradient, same shape as {@link #data()}. */
    public INDArray grad() {
        return grad;
    }

    /** The shape, e.g. [32, 3, 5, 5]. */
    public long[] shape() {
        return data.shape();
    }

    /** Number of elements. */
    public long numel() {
        return data.length();
    }

    /** {@code requires_grad}: false freezes the parameter (optimizers leave it unchanged). */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Sets {@code requires_grad}, like {@code p.requires_grad_(flag)}. */
    public Parameter requiresGrad(boolean flag) {
        this.requiresGrad = flag;
        return this;
    }

    /**
     * Copies {@code value} into this parameter, converting the data type.
     *
     * @throws IllegalArgumentException if the shape differs
     */
    public void copyFrom(INDArray value) {
        if (!Arrays.equals(value.shape(), data.shape())) {
            throw new IllegalArgumentException(
                    "cannot copy a value of shape "
                            + Arrays.toString(value.shape())
                            + " into a parameter of shape "
                            + Arrays.toString(data.shape()));
        }
        data.assign(value.castTo(data.dataType()));
    }

    /**
     * This parameter as a leaf of the autograd graph: gradients that reach it are added to {@link
     * #grad()} (unless the parameter is frozen).
     */
    public Tensor tensor() {
        return Tensor.derived(
                data,
                g -> {
                    accumulateGrad(g);
                    return new INDArray[0];
                });
    }

    /** Adds {@code g} to the gradient (called by backward functions). */
    void accumulateGrad(INDArray g) {
        if (requiresGrad) {
            grad.addi(g);
        }
    }

    /** Re-points value and gradient to new storage (used when binding to a flat buffer). */
    void rebind(INDArray newData, INDArray newGrad) {
        newData.assign(data);
        newGrad.assign(grad);
        this.data = newData;
        this.grad = newGrad;
    }

    /** Replaces value and gradient storage with {@code newData} and a zero gradient like it. */
    void rebindTo(INDArray newData) {
        this.data = newData;
        this.grad = newData.ulike().assign(0);
    }

    @Override
    public String toString() {
        return "Parameter(shape="
                + Arrays.toString(data.shape())
                + ", requires_grad="
                + requiresGrad
                + ")";
    }
}
