package org.kindling.spark.averaging;

import java.util.Map;

/** Progress callbacks of {@link ParameterAveraging}; every method has an empty default. */
public interface TrainingListener {
    /** Before the first round, with every knob and facts about the data. */
    default void onStart(Map<String, Object> settings) {}

    /** After each averaging round. */
    default void onRound(
            int epoch, int epochs, int round, int rounds, double loss, double imagesPerSecond) {}

    /** After each epoch; {@code testAccuracy} is NaN without test data. */
    default void onEpoch(
            int epoch, int epochs, double trainLoss, double testAccuracy, double seconds) {}
}
