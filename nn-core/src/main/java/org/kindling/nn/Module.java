package org.kindling.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Base class of every layer and model, like {@code torch.nn.Module}: owns named parameters and
 * named child modules, computes {@link #forward(Tensor)}, and switches between training and
 * evaluation mode.
 *
 * <p>Parameter names follow PyTorch's {@code state_dict} keys: a child's parameters are prefixed
 * with the child's name and a dot ({@code 0.weight}, {@code classifier.6.bias}).
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, INDArray> buffers = new LinkedHashMap<>();
    private boolean training = true;
    private ParameterVector boundVector;

    /** Computes the output for input {@code x}, recording how to backpropagate through it. */
    public abstract Tensor forward(Tensor x);

    /**
     * Convenience: forward on a plain array, returning the output array (no gradients recorded).
     */
    public INDArray forward(INDArray x) {
        try (Tensor.NoGrad g = Tensor.noGrad()) {
            return forward(Tensor.of(x)).data();
        }
    }

    /**
     * The output shape for an input of shape {@code inputShape} (batch dimension included),
     * checking that the input fits this module.
     *
     * @throws IllegalArgumentException naming the module, the expected and the actual shape
     */
    public abstract long[] outputShape(long[] inputShape);

    /** Registers a parameter under {@code name} (e.g. "weight"). */
    protected final Parameter registerParameter(String name, INDArray value) {
        Parameter p = new Parameter(value);
        parameters.put(name, p);
        return p;
    }

    /**
     * Registers a buffer: state that is saved in the {@code state_dict} but not trained (e.g.
     * BatchNorm's {@code running_mean}), like {@code register_buffer}.
     */
    protected final void registerBuffer(String name, INDArray value) {
        buffers.put(name, value);
    }

    /** The value of this module's own buffer {@code name}. */
    protected final INDArray buffer(String name) {
        return buffers.get(name);
    }

    /** All buffers of this module and its descendants with PyTorch-style keys, in order. */
    public Map<String, INDArray> namedBuffers() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        collectBuffers("", out);
        return out;
    }

    private void collectBuffers(String prefix, Map<String, INDArray> out) {
        buffers.forEach((n, b) -> out.put(prefix + n, b));
        children.forEach((n, c) -> c.collectBuffers(prefix + n + ".", out));
    }

    /**
     * Parameters and buffers in PyTorch's {@code state_dict} order (each module's parameters, then
     * its buffers, then its children's), as the live arrays (not copies).
     */
    public Map<String, INDArray> stateEntries() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, INDArray> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p.data()));
        buffers.forEach((n, b) -> out.put(prefix + n, b));
        children.forEach((n, c) -> c.collectState(prefix + n + ".", out));
    }

    /** Registers or replaces the child module {@code name}, like {@code add_module}. */
    public Module addModule(String name, Module child) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(
                    "module name must be non-empty and contain no '.', but was: '" + name + "'");
        }
        children.put(name, child);
        return this;
    }

    /**
     * The direct child {@code name}, like {@code model.classifier} in PyTorch.
     *
     * @throws IllegalArgumentException listing the children if there is none of that name
     */
    public Module child(String name) {
        Module m = children.get(name);
        if (m == null) {
            throw new IllegalArgumentException(
                    describe() + " has no child '" + name + "'; children: " + children.keySet());
        }
        return m;
    }

    /** The direct children in registration order. */
    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** This module's own parameters (not its children's). */
    protected Map<String, Parameter> ownParameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** All parameters of this module and its descendants with PyTorch-style keys, in order. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out));
    }

    /** All parameters in {@link #namedParameters()} order. */
    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Total number of parameter elements, like {@code sum(p.numel() for p in m.parameters())}. */
    public long numParameters() {
        return parameters().stream().mapToLong(Parameter::numel).sum();
    }

    /** Sets the gradient of every parameter to zero. */
    public void zeroGrad() {
        parameters().forEach(p -> p.grad().assign(0));
    }

    /** Training mode (the default): affects Dropout and BatchNorm. Returns this. */
    public Module train() {
        return train(true);
    }

    /** Sets training mode on this module and all descendants. Returns this. */
    public Module train(boolean mode) {
        training = mode;
        children.values().forEach(c -> c.train(mode));
        return this;
    }

    /** Evaluation mode, same as {@code train(false)}. Returns this. */
    public Module eval() {
        return train(false);
    }

    /** Whether this module is in training mode. */
    public boolean isTraining() {
        return training;
    }

    /** Converts every parameter to {@code type} (e.g. DOUBLE for exact checks). Returns this. */
    public Module to(DataType type) {
        for (Parameter p : parameters()) {
            if (p.data().dataType() != type) {
                p.rebindTo(p.data().castTo(type));
            }
        }
        castBuffers(type);
        return this;
    }

    private void castBuffers(DataType type) {
        buffers.replaceAll(
                (n, b) -> b.dataType().isFPType() && b.dataType() != type ? b.castTo(type) : b);
        children.values().forEach(c -> c.castBuffers(type));
    }

    ParameterVector boundVector() {
        return boundVector;
    }

    void boundVector(ParameterVector pv) {
        this.boundVector = pv;
    }

    /**
     * The constructor arguments of this module as JSON with PyTorch's names (e.g. {@code
     * in_channels}), from which {@link org.kindling.nn.io.ModuleSpecs} rebuilds it; empty for
     * modules without arguments.
     */
    protected com.google.gson.JsonObject config() {
        return new com.google.gson.JsonObject();
    }

    /** A (height, width) pair as a JSON array. */
    protected static com.google.gson.JsonArray pairJson(int[] v) {
        com.google.gson.JsonArray a = new com.google.gson.JsonArray();
        a.add(v[0]);
        a.add(v[1]);
        return a;
    }

    /** The module's {@link #config()} (for the model archive). */
    public final com.google.gson.JsonObject configJson() {
        return config();
    }

    /**
     * One-line description of this module's own configuration, e.g. {@code
     * Linear(in_features=...)}.
     */
    protected abstract String describe();

    @Override
    public String toString() {
        if (children.isEmpty()) {
            return describe();
        }
        StringBuilder sb = new StringBuilder(describe()).append("(\n");
        children.forEach(
                (n, c) ->
                        sb.append("  (")
                                .append(n)
                                .append("): ")
                                .append(c.toString().replace("\n", "\n  "))
                                .append('\n'));
        return sb.append(')').toString();
    }
}
