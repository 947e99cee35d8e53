package org.kindling.nn.models;

import org.kindling.nn.Module;
import org.kindling.nn.Sequential;
import org.kindling.nn.Tensor;

/**
 * The course's CIFAR-10 network with the course's module structure ({@code self.model =
 * nn.Sequential(...)}), so its {@code state_dict} keys are exactly PyTorch's {@code Tudui} keys:
 * {@code model.0.weight}, {@code model.0.bias}, ..., {@code model.8.bias}. Same layers as {@link
 * CifarNet}.
 */
public class Tudui extends Module {
    /** A freshly initialised network with 10 classes. */
    public Tudui() {
        this(10);
    }

    /** A freshly initialised network with {@code numClasses} outputs. */
    public Tudui(int numClasses) {
        addModule("model", CifarNet.create(numClasses));
    }

    /** The inner {@code Sequential}. */
    public Sequential model() {
        return (Sequential) child("model");
    }

    @Override
    public Tensor forward(Tensor x) {
        return child("model").forward(x);
    }

    @Override
    public long[] outputShape(long[] inputShape) {
        return child("model").outputShape(inputShape);
    }

    @Override
    protected String describe() {
        return "Tudui";
    }

    /** The spec encoding of {@code Tudui} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<Tudui> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("Tudui", Tudui.class);
        }

        @Override
        public Tudui fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new Tudui();
        }
    }
}
