package org.kindling.nn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A value in a computation, with the minimal autograd that PyTorch users expect: every module's
 * {@code forward} returns a {@code Tensor} that remembers how to pass gradients back to its inputs,
 * and {@link #backward()} on a scalar loss fills {@link Parameter#grad()} of every parameter that
 * took part.
 *
 * <p>Data is an ND4J array in PyTorch's layout (activations NCHW, row-major). A tensor made with
 * {@link #of(INDArray)} is a leaf with no gradient function (like a {@code torch.Tensor} with
 * {@code requires_grad=False}).
 */
public final class Tensor {

    /** Computes the gradients of a node's inputs from the gradient of its output. */
    @FunctionalInterface
    public interface BackwardFn {
        /**
         * @param gradOutput gradient of the loss w.r.t. this node's output (same shape as the
         *     output)
         * @return gradients w.r.t. each of the node's inputs, in input order (null where not
         *     needed)
         */
        INDArray[] apply(INDArray gradOutput);
    }

    private final INDArray data;
    private final Tensor[] inputs;
    private final BackwardFn backwardFn;
    private INDArray grad;

    private Tensor(INDArray data, Tensor[] inputs, BackwardFn backwardFn) {
        this.data = data;
        this.inputs = inputs;
        this.backwardFn = backwardFn;
    }

    /** A leaf tensor over {@code data} (no copy). */
    public static Tensor of(INDArray data) {
        if (data == null) {
            throw new IllegalArgumentException("Tensor data must not be null");
        }
        return new Tensor(data, new Tensor[0], null);
    }

    /**
     * A leaf whose gradient is kept, like a {@code torch.Tensor} with {@code requires_grad=True}:
     * after {@link #backward()} on a result, {@link #grad()} holds d(result)/d(this).
     */
    public static Tensor requiringGrad(INDArray data) {
        Tensor[] self = new Tensor[1];
        self[0] =
                new Tensor(
                        data,
                        new Tensor[0],
                        g -> {
                            Tensor t = self[0];
                            t.grad = t.grad == null ? g.dup() : t.grad.addi(g);
                            return new INDArray[0];
                        });
        return self[0];
    }

    /** The accumulated gradient of a {@link #requiringGrad} leaf, or null if none reached it. */
    public INDArray grad() {
        return grad;
    }

    /**
     * A tensor computed from {@code inputs}; {@code backwardFn} maps the output gradient to one
     * gradient per input. Parameter gradients are accumulated by the function itself.
     */
    public static Tensor derived(INDArray data, BackwardFn backwardFn, Tensor... inputs) {
        if (NO_GRAD.get()[0] > 0) {
            return new Tensor(data, new Tensor[0], null);
        }
        return new Tensor(data, inputs, backwardFn);
    }

    private static final ThreadLocal<int[]> NO_GRAD = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * Until the returned scope is closed, computations on this thread record no gradients, like
     * PyTorch's {@code torch.no_grad()}: {@link #derived} returns a leaf without a gradient
     * function, so nothing is kept for a backward pass (and operators that keep state for one, such
     * as max pooling's positions of the maxima, skip it). Scopes nest.
     *
     * <pre>{@code
     * try (Tensor.NoGrad g = Tensor.noGrad()) {
     *     INDArray logits = model.forward(Tensor.of(x)).data();
     * }
     * }</pre>
     */
    public static NoGrad noGrad() {
        NO_GRAD.get()[0]++;
        return new NoGrad();
    }

    /** Whether computations on this thread record gradients (outside every {@link #noGrad}). */
    public static boolean isGradEnabled() {
        return NO_GRAD.get()[0] == 0;
    }

    /** The scope of {@link #noGrad}; closing it restores gradient recording. */
    public static final class NoGrad implements AutoCloseable {
        private boolean closed;

        private NoGrad() {}

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                NO_GRAD.get()[0]--;
            }
        }
    }

    /** The underlying array (not a copy). */
    public INDArray data() {
        return data;
    }

    /** The shape, like {@code tensor.shape} in PyTorch. */
    public long[] shape() {
        return data.shape();
    }

    /** {@code size(dim)}; negative dims count from the end. */
    public long size(int dim) {
        return data.size(dim < 0 ? data.rank() + dim : dim);
    }

    /** The value of a one-element tensor, like {@code loss.item()}. */
    public double item() {
        if (data.length() != 1) {
            throw new IllegalStateException(
                    "item() needs a one-element tensor but shape is "
                            + java.util.Arrays.toString(data.shape()));
        }
        return data.getDouble(0);
    }

    /** Backpropagates from a one-element tensor (a loss), with seed gradient 1. */
    public void backward() {
        if (data.length() != 1) {
            throw new IllegalStateException(
                    "backward() without a gradient needs a scalar loss but shape is "
                            + java.util.Arrays.toString(data.shape())
                            + "; pass the upstream gradient with backward(grad)");
        }
        backward(data.ulike().assign(1));
    }

    /** Backpropagates {@code gradient} (same shape as this tensor) through the graph. */
    public void backward(INDArray gradient) {
        if (!java.util.Arrays.equals(gradient.shape(), data.shape())) {
            throw new IllegalArgumentException(
                    "gradient shape "
                            + java.util.Arrays.toString(gradient.shape())
                            + " does not match tensor shape "
                            + java.util.Arrays.toString(data.shape()));
        }
        List<Tensor> order = topologicalOrder();
        Map<Tensor, INDArray> grads = new IdentityHashMap<>();
        grads.put(this, gradient);
        for (Tensor node : order) {
            INDArray g = grads.remove(node);
            if (g == null || node.backwardFn == null) {
                continue;
            }
            INDArray[] inputGrads = node.backwardFn.apply(g);
            for (int i = 0; i < node.inputs.length; i++) {
                Tensor in = node.inputs[i];
                if (inputGrads[i] == null || !in.requiresGrad()) {
                    continue;
                }
                INDArray prev = grads.get(in);
                grads.put(in, prev == null ? inputGrads[i] : prev.add(inputGrads[i]));
            }
        }
    }

    /**
     * Whether a gradient flows back through this tensor, like {@code tensor.requires_grad}: true
     * when some parameter or function lies behind it, false for a leaf made by {@link #of} (an
     * input batch), whose gradient operations may skip computing.
     */
    public boolean requiresGrad() {
        return backwardFn != null;
    }

    /** Nodes in reverse topological order: every node before the nodes it was computed from. */
    private List<Tensor> topologicalOrder() {
        List<Tensor> post = new ArrayList<>();
        Set<Tensor> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {this, 0});
        seen.add(this);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            if (next < t.inputs.length) {
                frame[1] = next + 1;
                Tensor child = t.inputs[next];
                if (seen.add(child)) {
                    stack.push(new Object[] {child, 0});
                }
            } else {
                stack.pop();
                post.add(t);
            }
        }
        java.util.Collections.reverse(post);
        return post;
    }

    @Override
    public String toString() {
        return "Tensor(shape=" + java.util.Arrays.toString(data.shape()) + ")\n" + data;
    }
}
