package org.kindling.nn.training;

import java.io.Serializable;

/**
 * Where a run is: the next round to train and the seed every random choice derives from. Every
 * random draw of a data-parallel run (batch order, augmentation, Dropout) is a function of (seed,
 * epoch, partition, round), so this is the run's whole random state.
 *
 * @param epoch the epoch the next round belongs to, from 1; {@code epochs + 1} when finished
 * @param round the next round within the epoch, from 0
 * @param seed the run's seed
 */
public record TrainingPosition(int epoch, int round, long seed) implements Serializable {
    /** Validates. */
    public TrainingPosition {
        if (epoch < 1 || round < 0) {
            throw new IllegalArgumentException(
                    "position must have epoch >= 1 and round >= 0 but was epoch "
                            + epoch
                            + ", round "
                            + round);
        }
    }

    /** The start of a run. */
    public static TrainingPosition start(long seed) {
        return new TrainingPosition(1, 0, seed);
    }

    /** The position after round {@code round} of the current epoch. */
    public TrainingPosition afterRound(int round) {
        return new TrainingPosition(epoch, round + 1, seed);
    }

    /** The start of the next epoch. */
    public TrainingPosition nextEpoch() {
        return new TrainingPosition(epoch + 1, 0, seed);
    }
}
