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
    public static final List<String> NAMES =
            List.of(
                    "cifarnet",
                    "tudui",
                    "lenet5",
                    "alexnet",
                    "vgg11",
                    "vgg16",
                    "resnet18",
                    "resnet34",
                    "resnet50",
                    "resnet18_cifar");

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
            case "alexnet":
                return Vgg.alexnet(numClasses);
            case "vgg11":
                return Vgg.vgg11(numClasses);
            case "vgg16":
                return Vgg.vgg16(numClasses);
            case "resnet18":
                return ResNet.resnet18(numClasses);
            case "resnet34":
                return ResNet.resnet34(numClasses);
            case "resnet50":
                return ResNet.resnet50(numClasses);
            case "resnet18_cifar":
                return ResNet.resnet18Cifar(numClasses);
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
        if ("resnet18_cifar".equals(name)) {
            return new long[] {3, 32, 32};
        }
        if (NAMES.contains(name)) {
            return new long[] {3, 224, 224};
        }
        throw new IllegalArgumentException(
                "unknown model '" + name + "'; known models: " + String.join(", ", NAMES));
    }
}
