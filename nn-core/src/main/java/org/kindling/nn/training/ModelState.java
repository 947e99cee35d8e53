package org.kindling.nn.training;

import java.io.Serializable;
import java.util.Objects;

/**
 * A model at a point of training: its {@link ModelDefinition}, its flat parameters, optimizer state
 * and buffers, and the {@link TrainingPosition}. It is what a driver ships to executors (the
 * definition once, the arrays every round), what a whole-model archive and a checkpoint store
 * ({@link org.kindling.nn.io.ModelArchive} is its one reader and writer), and what a fitted Spark
 * ML model holds. The arrays are not copied: treat them as read-only.
 */
public final class ModelState implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ModelDefinition definition;
    private final float[] parameters;
    private final float[] optimizerState;
    private final float[] buffers;
    private final TrainingPosition position;

    /**
     * @throws IllegalArgumentException if an array is missing
     */
    public ModelState(
            ModelDefinition definition,
            float[] parameters,
            float[] optimizerState,
            float[] buffers,
            TrainingPosition position) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.optimizerState = Objects.requireNonNull(optimizerState, "optimizerState");
        this.buffers = buffers == null ? new float[0] : buffers;
        this.position = Objects.requireNonNull(position, "position");
    }

    /** A fresh model: {@code definition} initialised by its backend from {@code seed}. */
    public static ModelState initial(ModelDefinition definition, long seed) {
        Learner l = ModelBackends.get(definition.backend()).learner(definition, seed);
        return of(definition, l, TrainingPosition.start(seed));
    }

    /** The current arrays of {@code learner} at {@code position}. */
    public static ModelState of(
            ModelDefinition definition, Learner learner, TrainingPosition position) {
        return new ModelState(
                definition,
                learner.parameters(),
                learner.optimizerState(),
                learner.buffers(),
                position);
    }

    /** A learner for this state: built by the definition's backend and restored from the arrays. */
    public Learner learner() {
        Learner l = ModelBackends.get(definition.backend()).learner(definition, position.seed());
        l.restore(this);
        return l;
    }

    public ModelDefinition definition() {
        return definition;
    }

    public float[] parameters() {
        return parameters;
    }

    public float[] optimizerState() {
        return optimizerState;
    }

    public float[] buffers() {
        return buffers;
    }

    public TrainingPosition position() {
        return position;
    }

    /** The same model with new arrays at a new position. */
    public ModelState with(
            float[] parameters, float[] optimizerState, float[] buffers, TrainingPosition p) {
        return new ModelState(definition, parameters, optimizerState, buffers, p);
    }

    /** The same arrays with another definition (e.g. another optimizer for fine-tuning). */
    public ModelState withDefinition(ModelDefinition d) {
        return new ModelState(d, parameters, optimizerState, buffers, position);
    }

    /** The same arrays at another position. */
    public ModelState withPosition(TrainingPosition p) {
        return new ModelState(definition, parameters, optimizerState, buffers, p);
    }

    @Override
    public String toString() {
        return definition
                + ", "
                + parameters.length
                + " parameters, state "
                + optimizerState.length
                + ", buffers "
                + buffers.length
                + ", at "
                + position;
    }
}
