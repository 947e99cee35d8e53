package org.kindling.nn.optim;

import java.util.Arrays;
import org.kindling.nn.Module;
import org.kindling.nn.ParameterVector;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Base of the {@code torch.optim} optimizers. An optimizer updates all parameters of a module,
 * which it binds into one flat vector ({@link ParameterVector}); its state (the step count and one
 * or more per-parameter buffers) is one flat vector too, so a data-parallel trainer can average it.
 *
 * <p>Frozen parameters ({@code requires_grad=false}) are never changed.
 */
public abstract class Optimizer {
    /** The bound parameters. */
    protected final ParameterVector params;

    /** Per-parameter state buffers, each as long as the parameter vector. */
    protected final INDArray[] buffers;

    /** Number of {@link #step()} calls so far (PyTorch's {@code state['step']}). */
    protected long step;

    private final String[] bufferNames;

    /**
     * @param module the module whose parameters this optimizer updates
     * @param bufferNames PyTorch's names of the per-parameter state buffers the algorithm keeps
     *     (e.g. {@code exp_avg}); each starts at zero
     */
    protected Optimizer(Module module, String... bufferNames) {
        this.params = ParameterVector.bind(module);
        this.bufferNames = bufferNames.clone();
        this.buffers = new INDArray[bufferNames.length];
        for (int i = 0; i < bufferNames.length; i++) {
            buffers[i] = params.data().ulike().assign(0);
        }
    }

    /**
     * The state with PyTorch's names, like {@code optimizer.state_dict()['state']} for one flat
     * parameter: {@code step} and each buffer (views, not copies).
     */
    public java.util.Map<String, INDArray> namedState() {
        java.util.Map<String, INDArray> m = new java.util.LinkedHashMap<>();
        m.put("step", Nd4j.scalar(params.data().dataType(), (double) step));
        for (int i = 0; i < buffers.length; i++) {
            m.put(bufferNames[i], buffers[i]);
        }
        return m;
    }

    /** The number of steps taken. */
    public long stepCount() {
        return step;
    }

    /** Sets every gradient to zero, like {@code optimizer.zero_grad()}. */
    public void zeroGrad() {
        params.zeroGrad();
    }

    /** Updates the parameters from their gradients, like {@code optimizer.step()}. */
    public final void step() {
        step++;
        INDArray p = params.data();
        INDArray g = params.grad().dup();
        if (params.allTrainable()) {
            update(p, g, step);
            return;
        }
        INDArray mask = params.trainableMask();
        INDArray before = p.dup();
        g.muli(mask);
        update(p, g, step);
        // Frozen elements keep their values: p = before + mask * (p - before).
        p.assign(before.addi(p.sub(before).muli(mask)));
    }

    /**
     * Applies one update in place.
     *
     * @param p the flat parameters (update in place)
     * @param g a private copy of the flat gradient (may be modified)
     * @param t the step number, starting at 1
     */
    protected abstract void update(INDArray p, INDArray g, long t);

    /** The bound parameter vector. */
    public ParameterVector parameters() {
        return params;
    }

    /** The state as one flat vector: [step, buffer 0, buffer 1, ...]. */
    public INDArray state() {
        INDArray[] parts = new INDArray[buffers.length + 1];
        parts[0] = Nd4j.scalar(params.data().dataType(), (double) step).reshape(1);
        System.arraycopy(buffers, 0, parts, 1, buffers.length);
        return buffers.length == 0 ? parts[0] : Nd4j.concat(0, parts);
    }

    /**
     * The pieces of {@link #state()} without copying: the step as a 1-element array, then each
     * buffer (live views).
     */
    public java.util.List<INDArray> stateSegments() {
        java.util.List<INDArray> out = new java.util.ArrayList<>();
        out.add(Nd4j.scalar(params.data().dataType(), (double) step).reshape(1));
        java.util.Collections.addAll(out, buffers);
        return out;
    }

    /** Length of {@link #state()}. */
    public long stateLength() {
        return 1 + buffers.length * params.length();
    }

    /**
     * Restores a state produced by {@link #state()} (for example, averaged over workers).
     *
     * @throws IllegalArgumentException if the length does not match
     */
    public void loadState(INDArray state) {
        requireStateLength(state.length(), " (shape " + Arrays.toString(state.shape()) + ")");
        INDArray flat = state.reshape(state.length());
        step = Math.round(flat.getDouble(0));
        long n = params.length();
        for (int i = 0; i < buffers.length; i++) {
            buffers[i].assign(flat.get(NDArrayIndex.interval(1 + i * n, 1 + (i + 1) * n)));
        }
    }

    /**
     * Restores a state produced by {@link #state()} from a Java array, copying straight into the
     * buffers.
     *
     * @throws IllegalArgumentException if the length does not match
     */
    public void loadState(float[] state) {
        requireStateLength(state.length, "");
        step = Math.round((double) state[0]);
        long n = params.length();
        for (int i = 0; i < buffers.length; i++) {
            org.kindling.nn.internal.HostCopy.into(buffers[i], state, (int) (1 + i * n));
        }
    }

    private void requireStateLength(long length, String detail) {
        if (length != stateLength()) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName()
                            + " state must have "
                            + stateLength()
                            + " values (1 step + "
                            + buffers.length
                            + " x "
                            + params.length()
                            + ") but has "
                            + length
                            + detail);
        }
    }

    /**
     * PyTorch's L2 weight decay, added to the gradient: {@code g += wd * p} (nothing when wd is 0).
     */
    protected static void addL2(INDArray p, INDArray g, double wd) {
        if (wd != 0) {
            g.addi(p.mul(wd));
        }
    }

    /** Validation helper: {@code name must be <expected> but was: value}. */
    protected static void require(boolean ok, String name, double value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(
                    name + " must be " + expected + " but was: " + value);
        }
    }
}
