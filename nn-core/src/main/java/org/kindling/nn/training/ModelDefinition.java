package org.kindling.nn.training;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything that defines a model apart from its numbers: the backend that computes it, the
 * architecture spec (every option of every layer), the input shape and classes, the loss, the
 * optimizer with its hyperparameters and the frozen parameters. This is what a Spark driver ships
 * to executors once per job; {@link ModelState} adds the arrays and the position.
 *
 * @param backend the {@link ModelBackend} name: {@code kindling} or {@code dl4j}
 * @param name a readable name, e.g. the zoo name {@code cifarnet} or {@code vgg16+head}
 * @param spec the architecture as JSON text in the backend's own format (Kindling: a module tree,
 *     {@link org.kindling.nn.io.ModuleSpecs}; DL4J: the network configuration JSON)
 * @param inputShape one example [C, H, W]
 * @param numClasses number of outputs
 * @param loss the loss; {@code cross_entropy} (softmax cross-entropy on class indices)
 * @param optimizer the optimizer and its hyperparameters
 * @param frozen parameter-name prefixes that do not train ({@code requires_grad=False})
 */
public record ModelDefinition(
        String backend,
        String name,
        String spec,
        long[] inputShape,
        int numClasses,
        String loss,
        OptimizerSpec optimizer,
        List<String> frozen)
        implements Serializable {

    /** The only loss the trainers support today. */
    public static final String CROSS_ENTROPY = "cross_entropy";

    /** Validates; messages name the field, the value and what was expected. */
    public ModelDefinition {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(optimizer, "optimizer");
        try {
            spec = com.google.gson.JsonParser.parseString(spec).toString(); // one canonical text
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "the architecture spec of '" + name + "' is not JSON: " + e.getMessage(), e);
        }
        if (inputShape == null
                || inputShape.length != 3
                || Arrays.stream(inputShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException(
                    "input shape must be [C, H, W] with positive sizes but was "
                            + Arrays.toString(inputShape));
        }
        inputShape = inputShape.clone();
        if (numClasses < 1) {
            throw new IllegalArgumentException("num_classes must be >= 1 but was: " + numClasses);
        }
        if (!CROSS_ENTROPY.equals(loss)) {
            throw new IllegalArgumentException(
                    "loss must be '" + CROSS_ENTROPY + "' but was: '" + loss + "'");
        }
        frozen = List.copyOf(frozen == null ? List.of() : frozen);
    }

    @Override
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** The same definition with another optimizer. */
    public ModelDefinition withOptimizer(OptimizerSpec o) {
        return new ModelDefinition(backend, name, spec, inputShape, numClasses, loss, o, frozen);
    }

    /** The same definition with these frozen prefixes. */
    public ModelDefinition withFrozen(List<String> prefixes) {
        return new ModelDefinition(
                backend, name, spec, inputShape, numClasses, loss, optimizer, prefixes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelDefinition d
                && backend.equals(d.backend)
                && Objects.equals(name, d.name)
                && spec.equals(d.spec)
                && Arrays.equals(inputShape, d.inputShape)
                && numClasses == d.numClasses
                && loss.equals(d.loss)
                && optimizer.equals(d.optimizer)
                && frozen.equals(d.frozen);
    }

    @Override
    public int hashCode() {
        return Objects.hash(backend, spec, Arrays.hashCode(inputShape), numClasses, optimizer);
    }

    @Override
    public String toString() {
        return backend
                + " model '"
                + name
                + "' "
                + Arrays.toString(inputShape)
                + " -> "
                + numClasses
                + " classes, "
                + optimizer;
    }
}
