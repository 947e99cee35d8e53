package org.kindling.nn.models;

import java.util.List;
import org.kindling.nn.Module;

/**
 * Ready-made architectures by name, the one place that maps a saved architecture name back to a
 * module tree. Names: {@code cifarnet} (the course's CIFAR-10 network as a plain {@code
 * Sequential}, keys {@code 0.weight}, {@link CifarNet}) and {@code tudui} (the same network as the
 * course's {@code Tudui} class, keys {@code model.0.weight}, {@link Tudui}), {@code lenet5} ({@link
 * LeNet5}, 1x28x28 input).
 */
public final class Zoo {
    /** Every known architecture name. */
    public static final List<String> NAMES = List.of("cifarnet", "tudui", "lenet5");

    private Zoo() {}

    /**
     * Builds a freshly initialised model.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Module create(String name, int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("num_classes must be >= 1 but was: " + numClasses);
        }
        switch (name) {
            case "cifarnet":
                return CifarNet.create(numClasses);
            case "tudui":
                return new Tudui(numClasses);
            case "lenet5":
                return LeNet5.create(numClasses);
            default:
                throw new IllegalArgumentException(
                        "unknown model '" + name + "'; known models: " + String.join(", ", NAMES));
        }
    }

    /** Shape of one input example [C, H, W] for a zoo model. */
    public static long[] inputShape(String name) {
        if ("cifarnet".equals(name) || "tudui".equals(name)) {
            return CifarNet.IMAGE_SHAPE.clone();
        }
        if ("lenet5".equals(name)) {
            return LeNet5.IMAGE_SHAPE.clone();
        }
        throw new IllegalArgumentException(
                "unknown model '" + name + "'; known models: " + String.join(", ", NAMES));
    }
}
