package org.kindling.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * All parameters of a module laid out in one flat vector (and their gradients in another), in
 * {@link Module#namedParameters()} order. After binding, each {@link Parameter} is a view into
 * these vectors, so optimizers update everything with a few vector ops and the Spark trainer can
 * average a model as one array.
 */
public final class ParameterVector {
    private final List<Parameter> params;
    private final INDArray data;
    private final INDArray grad;
    private final INDArray trainableMask;
    private final List<INDArray> views;

    private ParameterVector(List<Parameter> params, INDArray data, INDArray grad) {
        this.params = params;
        this.data = data;
        this.grad = grad;
        this.trainableMask = data.ulike();
        this.views = params.stream().map(Parameter::data).toList();
        refreshMask();
    }

    /**
     * Binds the parameters of {@code module} to flat storage, keeping their values. Binding the
     * same module again returns a vector over the same storage, as long as its parameters did not
     * change.
     */
    public static ParameterVector bind(Module module) {
        List<Parameter> params = module.parameters();
        ParameterVector cached = module.boundVector();
        if (cached != null && cached.isBoundTo(params)) {
            return cached;
        }
        if (params.isEmpty()) {
            throw new IllegalArgumentException("module has no parameters: " + module.describe());
        }
        DataType type = params.get(0).data().dataType();
        long total = 0;
        for (Parameter p : params) {
            if (p.data().dataType() != type) {
                throw new IllegalArgumentException(
                        "all parameters must have one data type, found "
                                + type
                                + " and "
                                + p.data().dataType());
            }
            total += p.numel();
        }
        INDArray data = Nd4j.create(type, total);
        INDArray grad = Nd4j.create(type, total);
        long offset = 0;
        for (Parameter p : params) {
            long n = p.numel();
            INDArray dView =
                    data.get(NDArrayIndex.interval(offset, offset + n)).reshape('c', p.shape());
            INDArray gView =
                    grad.get(NDArrayIndex.interval(offset, offset + n)).reshape('c', p.shape());
            p.rebind(dView, gView);
            offset += n;
        }
        ParameterVector pv = new ParameterVector(params, data, grad);
        module.boundVector(pv);
        return pv;
    }

    private boolean isBoundTo(List<Parameter> ps) {
        if (ps.size() != params.size()) {
            return false;
        }
        for (int i = 0; i < ps.size(); i++) {
            if (ps.get(i) != params.get(i) || ps.get(i).data() != views.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** The flat parameter values (a view: writing changes the model). */
    public INDArray data() {
        return data;
    }

    /** The flat gradients (a view). */
    public INDArray grad() {
        return grad;
    }

    /** 1 where the parameter element is trainable ({@code requires_grad}), 0 where frozen. */
    public INDArray trainableMask() {
        refreshMask();
        return trainableMask;
    }

    /** True if every parameter is trainable. */
    public boolean allTrainable() {
        return params.stream().allMatch(Parameter::requiresGrad);
    }

    /** Number of elements. */
    public long length() {
        return data.length();
    }

    /** The parameters, in order. */
    public List<Parameter> parameters() {
        return params;
    }

    /** Sets all gradients to zero. */
    public void zeroGrad() {
        grad.assign(0);
    }

    private void refreshMask() {
        long offset = 0;
        for (Parameter p : params) {
            long n = p.numel();
            trainableMask
                    .get(NDArrayIndex.interval(offset, offset + n))
                    .assign(p.requiresGrad() ? 1 : 0);
            offset += n;
        }
    }
}
