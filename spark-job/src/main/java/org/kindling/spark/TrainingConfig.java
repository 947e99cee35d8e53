package org.kindling.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every knob of a parameter-averaging run, validated on construction.
 *
 * @param model zoo architecture name (e.g. {@code cifarnet})
 * @param numClasses number of classes
 * @param epochs passes over the training set, >= 1
 * @param batchSize mini-batch size per worker, >= 1
 * @param averagingFrequency k: mini-batches each worker trains between two averagings, >= 1
 * @param workers number of data partitions trained in parallel, >= 1
 * @param optimizer sgd, adam, adamw, rmsprop, adagrad or adadelta
 * @param lr learning rate, > 0
 * @param momentum momentum of sgd and rmsprop, >= 0
 * @param seed seed of initialisation and shuffling
 * @param threadsPerWorker ND4J/OpenMP threads per task, >= 1
 * @param freeze parameter-name prefixes to freeze ({@code requires_grad=False}), e.g. {@code
 *     features.}; empty for none
 * @param reshuffle move records to new random partitions (seeded) before every epoch after the
 *     first
 */
public record TrainingConfig(
        String model,
        int numClasses,
        int epochs,
        int batchSize,
        int averagingFrequency,
        int workers,
        String optimizer,
        double lr,
        double momentum,
        long seed,
        int threadsPerWorker,
        List<String> freeze,
        boolean reshuffle)
        implements Serializable {

    /** Validates every value; messages name the parameter, the value and what was expected. */
    public TrainingConfig {
        positive("epochs", epochs);
        positive("batch-size", batchSize);
        positive("averaging-frequency", averagingFrequency);
        positive("workers", workers);
        positive("threads-per-worker", threadsPerWorker);
        positive("num-classes", numClasses);
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr must be > 0 but was: " + lr);
        }
        if (!org.kindling.nn.optim.Optimizers.NAMES.contains(optimizer)) {
            throw new IllegalArgumentException(
                    "optimizer must be one of "
                            + org.kindling.nn.optim.Optimizers.NAMES
                            + " but was: '"
                            + optimizer
                            + "'");
        }
        freeze = List.copyOf(freeze);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1) but was: " + momentum);
        }
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1 but was: " + v);
        }
    }

    /** All knobs by name, for the start-up log and the model's provenance. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("num_classes", numClasses);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("averaging_frequency", averagingFrequency);
        m.put("workers", workers);
        m.put("optimizer", optimizer);
        m.put("lr", lr);
        m.put("momentum", momentum);
        m.put("seed", seed);
        m.put("threads_per_worker", threadsPerWorker);
        m.put("freeze", freeze);
        m.put("reshuffle", reshuffle);
        return m;
    }
}
