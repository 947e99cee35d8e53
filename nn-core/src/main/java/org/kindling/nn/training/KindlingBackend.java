package org.kindling.nn.training;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Map;
import org.kindling.nn.Generator;
import org.kindling.nn.Module;
import org.kindling.nn.Parameter;
import org.kindling.nn.io.ModuleSpecs;
import org.kindling.nn.io.StateDict;
import org.kindling.nn.loss.CrossEntropyLoss;
import org.kindling.nn.models.Zoo;
import org.kindling.nn.optim.Optimizers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@code kindling} backend: definitions whose spec is a Kindling module tree ({@link
 * ModuleSpecs}), trained by {@link Trainer}. Also the bridge from a live {@link Module} (a zoo
 * model a user modified, with pretrained weights) to a {@link ModelState} and back.
 */
public final class KindlingBackend implements ModelBackend {
    /** The backend name. */
    public static final String NAME = "kindling";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Trainer learner(ModelDefinition d, long seed) {
        Generator g = new Generator(seed);
        Module m;
        try (Generator.Scope s = Generator.use(g)) {
            m = ModuleSpecs.fromJson(parse(d));
        }
        return trainer(m, d, g);
    }

    @Override
    public Map<String, INDArray> stateDict(ModelState state) {
        return StateDict.of(module(state));
    }

    @Override
    public Trainer fromStateDict(ModelDefinition d, Map<String, INDArray> tensors) {
        Trainer t = learner(d, 0);
        StateDict.load(t.model(), tensors, true);
        return t;
    }

    /** The definition of zoo model {@code name}, trained with {@code optimizer}. */
    public static ModelDefinition zoo(String name, int numClasses, OptimizerSpec optimizer) {
        return define(
                Zoo.create(name, numClasses),
                name,
                Zoo.inputShape(name),
                numClasses,
                optimizer,
                List.of());
    }

    /**
     * The definition of a live module (any tree of registered module types, e.g. a modified zoo
     * model).
     *
     * @throws IllegalArgumentException if a module type is not registered, the module does not
     *     accept the input shape, or a frozen prefix matches no parameter
     */
    public static ModelDefinition define(
            Module m,
            String name,
            long[] inputShape,
            int numClasses,
            OptimizerSpec optimizer,
            List<String> frozen) {
        ModelDefinition d =
                new ModelDefinition(
                        NAME,
                        name,
                        ModuleSpecs.toJson(m).toString(),
                        inputShape,
                        numClasses,
                        ModelDefinition.CROSS_ENTROPY,
                        optimizer,
                        frozen);
        checkFrozen(m, d);
        long[] out = m.outputShape(batch(inputShape));
        if (out.length != 2 || out[1] != numClasses) {
            throw new IllegalArgumentException(
                    name
                            + " produces output of shape "
                            + java.util.Arrays.toString(out)
                            + " for input [N, "
                            + java.util.Arrays.toString(inputShape).replaceAll("[\\[\\]]", "")
                            + "] but "
                            + numClasses
                            + " classes need [N, "
                            + numClasses
                            + "]");
        }
        return d;
    }

    /** The state of live module {@code m} (its current parameters and buffers, fresh optimizer). */
    public static ModelState stateOf(Module m, ModelDefinition d, TrainingPosition position) {
        return ModelState.of(d, trainer(m, d, new Generator(position.seed())), position);
    }

    /** The module of a {@code kindling} state, with its parameters and buffers. */
    public static Module module(ModelState state) {
        if (!NAME.equals(state.definition().backend())) {
            throw new IllegalArgumentException(
                    "not a Kindling module but a " + state.definition().backend() + " model");
        }
        // the module alone (no optimizer, no gradients): a state's weights in the module tree
        Module m;
        try (Generator.Scope s = Generator.use(new Generator(state.position().seed()))) {
            m = ModuleSpecs.fromJson(parse(state.definition()));
        }
        float[] p = state.parameters();
        int off = 0;
        for (Parameter par : m.namedParameters().values()) {
            if (off + par.numel() > p.length) {
                throw new IllegalArgumentException(
                        "the state has " + p.length + " parameter values, fewer than the model");
            }
            org.kindling.nn.internal.HostCopy.into(par.data(), p, off);
            off += (int) par.numel();
        }
        if (off != p.length) {
            throw new IllegalArgumentException(
                    "the state has " + p.length + " parameter values but the model " + off);
        }
        Trainer.setBuffers(m, state.buffers());
        for (String prefix : state.definition().frozen()) {
            m.namedParameters().entrySet().stream()
                    .filter(e -> e.getKey().startsWith(prefix))
                    .forEach(e -> e.getValue().requiresGrad(false));
        }
        return m;
    }

    private static Trainer trainer(Module m, ModelDefinition d, Generator g) {
        checkFrozen(m, d);
        for (String prefix : d.frozen()) {
            m.namedParameters().entrySet().stream()
                    .filter(e -> e.getKey().startsWith(prefix))
                    .map(Map.Entry::getValue)
                    .forEach(p -> p.requiresGrad(false));
        }
        OptimizerSpec o = d.optimizer();
        return new Trainer(
                m,
                d.inputShape(),
                new CrossEntropyLoss(),
                Optimizers.create(o.name(), m, o.lr(), o.momentum()),
                g);
    }

    private static void checkFrozen(Module m, ModelDefinition d) {
        Map<String, Parameter> params = m.namedParameters();
        for (String prefix : d.frozen()) {
            if (params.keySet().stream().noneMatch(k -> k.startsWith(prefix))) {
                throw new IllegalArgumentException(
                        "--freeze "
                                + prefix
                                + " matches no parameter of "
                                + d.name()
                                + "; parameters: "
                                + params.keySet());
            }
        }
    }

    private static JsonObject parse(ModelDefinition d) {
        try {
            return JsonParser.parseString(d.spec()).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    d.name()
                            + ": the architecture spec is not a JSON object ("
                            + e.getMessage()
                            + ")",
                    e);
        }
    }

    private static long[] batch(long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = 1;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
