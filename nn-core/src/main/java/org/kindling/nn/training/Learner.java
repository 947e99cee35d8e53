package org.kindling.nn.training;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A network ready to train on one machine, whatever computes it (Kindling's own modules, or a DL4J
 * network): the training step, prediction, and the flat arrays a data-parallel trainer averages.
 * Built by a {@link ModelBackend} from a {@link ModelDefinition}.
 */
public interface Learner {
    /** Shape of one example [C, H, W]. */
    long[] inputShape();

    /**
     * One training step (zero_grad, forward, loss, backward, optimizer step) on a mini-batch.
     *
     * @param x inputs [N, C, H, W]
     * @param labels class indices [N]
     * @return the mini-batch loss before the update
     */
    double step(INDArray x, INDArray labels);

    /** Class scores (logits, or probabilities for networks that end in softmax) [N, classes]. */
    INDArray predict(INDArray x);

    /** Class probabilities [N, classes] (softmax of {@link #predict} where needed). */
    INDArray probabilities(INDArray x);

    /** Number of correct arg-max predictions for a batch with class-index labels [N]. */
    long countCorrect(INDArray x, INDArray labels);

    /** A copy of all parameters, flat. */
    float[] parameters();

    /** Overwrites all parameters. */
    void setParameters(float[] flat);

    /** A copy of the optimizer state, flat. */
    float[] optimizerState();

    /** Restores the optimizer state. */
    void setOptimizerState(float[] flat);

    /** A copy of the non-trained state (e.g. BatchNorm running statistics), flat; may be empty. */
    float[] buffers();

    /** Restores the buffers. */
    void setBuffers(float[] flat);

    /** Number of parameter values. */
    long numParameters();

    /**
     * Re-seeds the generator that Dropout (and any other randomness of the step) draws from; a
     * data-parallel trainer seeds it per (run seed, epoch, partition, round).
     */
    void reseed(long seed);

    /**
     * The flat vector a data-parallel trainer averages: [parameters | optimizer state (if {@code
     * withState}) | buffers], as segments (live views where the learner has them; copies
     * otherwise). {@link FlatVector} slices them without building the whole vector, which matters
     * for models of hundreds of millions of parameters.
     */
    default java.util.List<INDArray> flatSegments(boolean withState) {
        java.util.List<INDArray> out = new java.util.ArrayList<>();
        out.add(org.nd4j.linalg.factory.Nd4j.createFromArray(parameters()));
        if (withState && optimizerState().length > 0) {
            out.add(org.nd4j.linalg.factory.Nd4j.createFromArray(optimizerState()));
        }
        if (buffers().length > 0) {
            out.add(org.nd4j.linalg.factory.Nd4j.createFromArray(buffers()));
        }
        return out;
    }

    /** Restores every array of {@code state} into this learner. */
    default void restore(ModelState state) {
        setParameters(state.parameters());
        setOptimizerState(state.optimizerState());
        setBuffers(state.buffers());
    }
}
