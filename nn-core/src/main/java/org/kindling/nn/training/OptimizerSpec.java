package org.kindling.nn.training;

import java.io.Serializable;
import java.util.Locale;
import org.kindling.nn.optim.Optimizers;

/**
 * An optimizer by name with its hyperparameters, PyTorch's defaults for the rest.
 *
 * @param name sgd, adam, adamw, rmsprop, adagrad or adadelta
 * @param lr learning rate, > 0
 * @param momentum momentum of sgd and rmsprop, in [0, 1); 0 for the others
 */
public record OptimizerSpec(String name, double lr, double momentum) implements Serializable {
    /** Validates; messages name the option, the value and what was expected. */
    public OptimizerSpec {
        name = name == null ? null : name.toLowerCase(Locale.ROOT);
        if (!Optimizers.NAMES.contains(name)) {
            throw new IllegalArgumentException(
                    "optimizer must be one of " + Optimizers.NAMES + " but was: '" + name + "'");
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr must be a number > 0 but was: " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1) but was: " + momentum);
        }
        if (momentum != 0 && !name.equals("sgd") && !name.equals("rmsprop")) {
            throw new IllegalArgumentException(
                    "momentum applies to sgd and rmsprop only, but optimizer is '"
                            + name
                            + "' and momentum was: "
                            + momentum);
        }
    }

    /** Plain SGD. */
    public static OptimizerSpec sgd(double lr) {
        return new OptimizerSpec("sgd", lr, 0);
    }
}
