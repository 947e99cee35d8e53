package org.kindling.nn;

import java.util.Arrays;
import java.util.Map;

/**
 * Modules applied in order, like {@code torch.nn.Sequential}. Children are named "0", "1", ... so
 * parameter keys are {@code 0.weight}, {@code 7.bias}, as in PyTorch.
 */
public class Sequential extends Module {

    /** {@code Sequential(m0, m1, ...)}. */
    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends a module under the next index. Returns this. */
    public Sequential add(Module m) {
        addModule(String.valueOf(namedChildren().size()), m);
        return this;
    }

    /** The i-th module, like {@code seq[i]}; negative counts from the end. */
    public Module get(int i) {
        int n = namedChildren().size();
        int k = i < 0 ? n + i : i;
        if (k < 0 || k >= n) {
            throw new IndexOutOfBoundsException(
                    "index " + i + " is out of range for Sequential of " + n);
        }
        return namedChildren().values().stream().skip(k).findFirst().orElseThrow();
    }

    /** Replaces the i-th module, like {@code seq[i] = m}. */
    public Sequential set(int i, Module m) {
        get(i);
        String key =
                namedChildren().keySet().stream()
                        .skip(i < 0 ? namedChildren().size() + i : i)
                        .findFirst()
                        .orElseThrow();
        addModule(key, m);
        return this;
    }

    /** Number of modules. */
    public int size() {
        return namedChildren().size();
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor t = x;
        for (Module m : namedChildren().values()) {
            t = m.forward(t);
        }
        return t;
    }

    @Override
    public long[] outputShape(long[] in) {
        long[] s = in;
        for (Map.Entry<String, Module> e : namedChildren().entrySet()) {
            try {
                s = e.getValue().outputShape(s);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(
                        "layer ("
                                + e.getKey()
                                + ") "
                                + ex.getMessage()
                                + " [model input shape "
                                + Arrays.toString(in)
                                + "]",
                        ex);
            }
        }
        return s;
    }

    @Override
    protected String describe() {
        return "Sequential";
    }

    /** The spec encoding of {@code Sequential} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<Sequential> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("Sequential", Sequential.class);
        }

        @Override
        public Sequential fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new Sequential();
        }
    }
}
