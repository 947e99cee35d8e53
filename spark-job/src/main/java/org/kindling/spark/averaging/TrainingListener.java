package org.kindling.spark.averaging;

import java.util.Map;
import org.kindling.nn.training.ModelState;

/** Progress callbacks of {@link ParameterAveraging}; every method has an empty default. */
public interface TrainingListener {
    /** Before the first round, with every knob and facts about the data. */
    default void onStart(Map<String, Object> settings) {}

    /** After each averaging round. */
    default void onRound(
            int epoch, int epochs, int round, int rounds, double loss, double imagesPerSecond) {}

    /**
     * After each round with the averaged model at its new position, and again after each epoch's
     * evaluation ({@code epochEnd}, position at the next epoch's start): where checkpoints are
     * written.
     */
    default void onState(ModelState state, boolean epochEnd) {}

    /** After each epoch; {@code testAccuracy} is NaN without test data. */
    default void onEpoch(
            int epoch, int epochs, double trainLoss, double testAccuracy, double seconds) {}

    /** One listener that calls each of {@code listeners} in order. */
    static TrainingListener all(TrainingListener... listeners) {
        java.util.List<TrainingListener> ls = java.util.List.of(listeners);
        return new TrainingListener() {
            @Override
            public void onStart(Map<String, Object> settings) {
                ls.forEach(l -> l.onStart(settings));
            }

            @Override
            public void onRound(
                    int epoch,
                    int epochs,
                    int round,
                    int rounds,
                    double loss,
                    double imagesPerSecond) {
                ls.forEach(l -> l.onRound(epoch, epochs, round, rounds, loss, imagesPerSecond));
            }

            @Override
            public void onState(ModelState state, boolean epochEnd) {
                ls.forEach(l -> l.onState(state, epochEnd));
            }

            @Override
            public void onEpoch(
                    int epoch, int epochs, double trainLoss, double testAccuracy, double seconds) {
                ls.forEach(l -> l.onEpoch(epoch, epochs, trainLoss, testAccuracy, seconds));
            }
        };
    }
}
