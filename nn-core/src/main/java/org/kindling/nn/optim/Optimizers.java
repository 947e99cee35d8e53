package org.kindling.nn.optim;

import java.util.List;
import org.kindling.nn.Module;

/** First-order optimizers by name, with PyTorch's defaults for everything but lr and momentum. */
public final class Optimizers {
    /** Known names. */
    public static final List<String> NAMES =
            List.of("sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta");

    private Optimizers() {}

    /**
     * Builds optimizer {@code name} on {@code module}.
     *
     * @param momentum used by sgd and rmsprop; must be 0 for the others
     * @throws IllegalArgumentException for an unknown name or a momentum the optimizer has no use
     *     for
     */
    public static Optimizer create(String name, Module module, double lr, double momentum) {
        switch (name) {
            case "sgd":
                return new SGD(module, lr, momentum);
            case "rmsprop":
                return new RMSprop(module).lr(lr).momentum(momentum);
            default:
                break;
        }
        if (momentum != 0) {
            throw new IllegalArgumentException(
                    "momentum applies to sgd and rmsprop only, but optimizer is '"
                            + name
                            + "' and momentum was: "
                            + momentum);
        }
        switch (name) {
            case "adam":
                return new Adam(module, lr);
            case "adamw":
                return new AdamW(module, lr);
            case "adagrad":
                return new Adagrad(module).lr(lr);
            case "adadelta":
                return new Adadelta(module).lr(lr);
            default:
                throw new IllegalArgumentException(
                        "unknown optimizer '"
                                + name
                                + "'; known optimizers: "
                                + String.join(", ", NAMES));
        }
    }
}
