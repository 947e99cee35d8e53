package org.kindling.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kindling.data.BadInput;
import org.kindling.data.Datasets;
import org.kindling.nn.training.OptimizerSpec;

/**
 * Every knob of a training run, in one place: the model, the data, the averaging, the optimizer and
 * the output. Built with {@link #builder()} and validated once by {@link Builder#build()}, before
 * any data is read; every message names the option (as the command line spells it), the bad value
 * and what was expected. The command line, the Spark ML estimator and the tests all build it.
 */
public final class TrainingConfig implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Values of {@code --save}. */
    public static final List<String> SAVE_FORMATS = List.of("whole", "params", "dl4j");

    /** Values of {@code --exchange} (see {@code averaging.Exchange}). */
    public static final List<String> EXCHANGES = List.of("auto", "tasks", "shuffle");

    private final Builder b;
    private final OptimizerSpec optimizer;

    private TrainingConfig(Builder b) {
        this.b = b.copy();
        this.optimizer = new OptimizerSpec(b.optimizer, b.lr, b.momentum);
    }

    /** A builder with the command line's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return b.copy();
    }

    /**
     * {@code --model}: a zoo name, a Kindling archive or spec file, or a DL4J zip; null = default.
     */
    public String model() {
        return b.model;
    }

    /** The model to train: {@code --model}, else cifarnet (lenet5 for single-channel data). */
    public String modelOrDefault() {
        if (b.model != null) {
            return b.model;
        }
        return b.dataset.equals("mnist") || (b.dataset.equals("folder") && b.channels == 1)
                ? "lenet5"
                : "cifarnet";
    }

    public String dataset() {
        return b.dataset;
    }

    /** {@code --data}, or null for the data home's default. */
    public String data() {
        return b.data;
    }

    public Integer limit() {
        return b.limit;
    }

    public int imageSize() {
        return b.imageSize;
    }

    public int channels() {
        return b.channels;
    }

    public BadInput.Policy badInput() {
        return b.badInput;
    }

    public String parquetCache() {
        return b.parquetCache;
    }

    public double holdout() {
        return b.holdout;
    }

    public boolean augment() {
        return b.augment;
    }

    public boolean reshuffle() {
        return b.reshuffle;
    }

    public int epochs() {
        return b.epochs;
    }

    public int batchSize() {
        return b.batchSize;
    }

    /** k: mini-batches each worker trains between two averagings. */
    public int averagingFrequency() {
        return b.averagingFrequency;
    }

    /** {@code --workers}, or null for the default (1 in local mode, else Spark's parallelism). */
    public Integer workers() {
        return b.workers;
    }

    /** {@code --threads-per-worker}, or null for the default. */
    public Integer threadsPerWorker() {
        return b.threadsPerWorker;
    }

    public OptimizerSpec optimizer() {
        return optimizer;
    }

    public long seed() {
        return b.seed;
    }

    public List<String> freeze() {
        return List.copyOf(b.freeze);
    }

    public String pretrained() {
        return b.pretrained;
    }

    public boolean strict() {
        return b.strict;
    }

    public String output() {
        return b.output;
    }

    public String save() {
        return b.save;
    }

    /** How workers' models meet after a round: auto, tasks or shuffle. */
    public String exchange() {
        return b.exchange;
    }

    public String master() {
        return b.master;
    }

    /** {@code --rounds}: stop after this many rounds in all (null: train every epoch fully). */
    public Integer rounds() {
        return b.rounds;
    }

    /** {@code --checkpoint-dir}, or null for no checkpoints. */
    public String checkpointDir() {
        return b.checkpointDir;
    }

    /** {@code --checkpoint-every}: rounds between checkpoints (null: at epoch ends only). */
    public Integer checkpointEvery() {
        return b.checkpointEvery;
    }

    public int keepCheckpoints() {
        return b.keepCheckpoints;
    }

    public boolean resume() {
        return b.resume;
    }

    /** {@code --average-optimizer-state}: average optimizer state with the parameters (default). */
    public boolean averageOptimizerState() {
        return b.averageOptimizerState;
    }

    /**
     * The settings a resumed run must share with the run that wrote the checkpoint (everything that
     * changes the numbers, except the number of epochs and rounds), as strings.
     */
    public Map<String, Object> fingerprint(String dataSource) {
        Map<String, Object> m = new LinkedHashMap<>();
        asMap().forEach((k, v) -> m.put(k, String.valueOf(v)));
        m.remove("epochs");
        m.remove("rounds");
        m.remove("threads_per_worker");
        m.remove("exchange"); // both exchanges give the same bits
        m.remove("lr");
        m.remove("data");
        m.put("data", dataSource);
        return m;
    }

    /** The same configuration with workers and threads resolved. */
    public TrainingConfig withResources(int workers, int threadsPerWorker) {
        return toBuilder().workers(workers).threadsPerWorker(threadsPerWorker).build();
    }

    /** All knobs by name, for the start-up log and the model's provenance. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", modelOrDefault());
        m.put("dataset", b.dataset);
        m.put("data", b.data);
        m.put("limit", b.limit);
        m.put("epochs", b.epochs);
        m.put("rounds", b.rounds);
        m.put("batch_size", b.batchSize);
        m.put("averaging_frequency", b.averagingFrequency);
        m.put("workers", b.workers);
        m.put("threads_per_worker", b.threadsPerWorker);
        m.put("optimizer", optimizer.name());
        m.put("lr", optimizer.lr());
        m.put("momentum", optimizer.momentum());
        m.put("seed", b.seed);
        m.put("freeze", List.copyOf(b.freeze));
        m.put("pretrained", b.pretrained);
        m.put("reshuffle", b.reshuffle);
        m.put("average_optimizer_state", b.averageOptimizerState);
        m.put("exchange", b.exchange);
        m.put("augment", b.augment);
        m.put("image_size", b.imageSize);
        m.put("channels", b.channels);
        m.put("bad_input", b.badInput.name().toLowerCase());
        return m;
    }

    @Override
    public String toString() {
        return asMap().toString();
    }

    /** Collects values; {@link #build()} validates them all. */
    public static final class Builder implements Serializable {
        private static final long serialVersionUID = 1L;
        private String model;
        private String dataset = "cifar10";
        private String data;
        private Integer limit;
        private int imageSize;
        private int channels = 3;
        private BadInput.Policy badInput = BadInput.Policy.FAIL;
        private String parquetCache;
        private double holdout = 0.2;
        private boolean augment;
        private boolean reshuffle;
        private int epochs = 1;
        private Integer rounds;
        private int batchSize = 64;
        private int averagingFrequency = 4;
        private Integer workers;
        private Integer threadsPerWorker;
        private String optimizer = "sgd";
        private double lr = 0.01;
        private double momentum;
        private long seed = 42;
        private List<String> freeze = new ArrayList<>();
        private String pretrained;
        private boolean strict = true;
        private String output = "runs/cifarnet.kindling";
        private String save = "whole";
        private String exchange = "auto";
        private String master;
        private String checkpointDir;
        private Integer checkpointEvery;
        private int keepCheckpoints = 3;
        private boolean resume;
        private boolean averageOptimizerState = true;

        private Builder() {}

        Builder copy() {
            Builder c = new Builder();
            c.model = model;
            c.dataset = dataset;
            c.data = data;
            c.limit = limit;
            c.imageSize = imageSize;
            c.channels = channels;
            c.badInput = badInput;
            c.parquetCache = parquetCache;
            c.holdout = holdout;
            c.augment = augment;
            c.reshuffle = reshuffle;
            c.epochs = epochs;
            c.rounds = rounds;
            c.batchSize = batchSize;
            c.averagingFrequency = averagingFrequency;
            c.workers = workers;
            c.threadsPerWorker = threadsPerWorker;
            c.optimizer = optimizer;
            c.lr = lr;
            c.momentum = momentum;
            c.seed = seed;
            c.freeze = new ArrayList<>(freeze);
            c.pretrained = pretrained;
            c.strict = strict;
            c.output = output;
            c.save = save;
            c.exchange = exchange;
            c.master = master;
            c.checkpointDir = checkpointDir;
            c.checkpointEvery = checkpointEvery;
            c.keepCheckpoints = keepCheckpoints;
            c.resume = resume;
            c.averageOptimizerState = averageOptimizerState;
            return c;
        }

        public Builder model(String v) {
            model = v;
            return this;
        }

        public Builder dataset(String v) {
            dataset = v;
            return this;
        }

        public Builder data(String v) {
            data = v;
            return this;
        }

        public Builder limit(Integer v) {
            limit = v;
            return this;
        }

        public Builder imageSize(int v) {
            imageSize = v;
            return this;
        }

        public Builder channels(int v) {
            channels = v;
            return this;
        }

        public Builder badInput(BadInput.Policy v) {
            badInput = v;
            return this;
        }

        /** {@code fail} or {@code skip}. */
        public Builder badInput(String v) {
            badInput = BadInput.Policy.parse(v);
            return this;
        }

        public Builder parquetCache(String v) {
            parquetCache = v;
            return this;
        }

        public Builder holdout(double v) {
            holdout = v;
            return this;
        }

        public Builder augment(boolean v) {
            augment = v;
            return this;
        }

        public Builder reshuffle(boolean v) {
            reshuffle = v;
            return this;
        }

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder rounds(Integer v) {
            rounds = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder averagingFrequency(int v) {
            averagingFrequency = v;
            return this;
        }

        public Builder workers(Integer v) {
            workers = v;
            return this;
        }

        public Builder threadsPerWorker(Integer v) {
            threadsPerWorker = v;
            return this;
        }

        public Builder optimizer(String v) {
            optimizer = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder momentum(double v) {
            momentum = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder freeze(List<String> v) {
            freeze = new ArrayList<>(v == null ? List.of() : v);
            return this;
        }

        public Builder pretrained(String v) {
            pretrained = v;
            return this;
        }

        public Builder strict(boolean v) {
            strict = v;
            return this;
        }

        public Builder output(String v) {
            output = v;
            return this;
        }

        public Builder save(String v) {
            save = v;
            return this;
        }

        public Builder exchange(String v) {
            exchange = v;
            return this;
        }

        public Builder master(String v) {
            master = v;
            return this;
        }

        public Builder checkpointDir(String v) {
            checkpointDir = v;
            return this;
        }

        public Builder checkpointEvery(Integer v) {
            checkpointEvery = v;
            return this;
        }

        public Builder keepCheckpoints(int v) {
            keepCheckpoints = v;
            return this;
        }

        public Builder resume(boolean v) {
            resume = v;
            return this;
        }

        public Builder averageOptimizerState(boolean v) {
            averageOptimizerState = v;
            return this;
        }

        /**
         * Validates every value and builds the configuration.
         *
         * @throws IllegalArgumentException naming the first bad option, its value and what was
         *     expected
         */
        public TrainingConfig build() {
            atLeast1("--epochs", epochs);
            atLeast1("--batch-size", batchSize);
            atLeast1("--averaging-frequency", averagingFrequency);
            if (workers != null) atLeast1("--workers", workers);
            if (threadsPerWorker != null) atLeast1("--threads-per-worker", threadsPerWorker);
            if (limit != null) atLeast1("--limit", limit);
            if (rounds != null) atLeast1("--rounds", rounds);
            if (checkpointEvery != null) atLeast1("--checkpoint-every", checkpointEvery);
            atLeast1("--keep-checkpoints", keepCheckpoints);
            if ((resume || checkpointEvery != null) && checkpointDir == null) {
                throw new IllegalArgumentException(
                        (resume ? "--resume" : "--checkpoint-every")
                                + " needs --checkpoint-dir URI (where checkpoints are written and read)");
            }
            if (!Datasets.NAMES.contains(dataset)) {
                throw new IllegalArgumentException(
                        "--dataset must be one of "
                                + Datasets.NAMES
                                + " but was: '"
                                + dataset
                                + "'");
            }
            if (imageSize < 0) {
                throw new IllegalArgumentException(
                        "--image-size must be >= 1 (or 0 to keep the images' size) but was: "
                                + imageSize);
            }
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException(
                        "--channels must be 1 (grayscale) or 3 (RGB) but was: " + channels);
            }
            if (!(holdout > 0 && holdout < 1)) {
                throw new IllegalArgumentException(
                        "--holdout must be a fraction in (0, 1) but was: " + holdout);
            }
            if (!EXCHANGES.contains(exchange)) {
                throw new IllegalArgumentException(
                        "--exchange must be one of " + EXCHANGES + " but was: '" + exchange + "'");
            }
            if (!SAVE_FORMATS.contains(save)) {
                throw new IllegalArgumentException(
                        "--save must be one of " + SAVE_FORMATS + " but was: '" + save + "'");
            }
            if (output == null || output.isBlank()) {
                throw new IllegalArgumentException("--output must be a path or URI but was empty");
            }
            if (model != null && model.isBlank()) {
                throw new IllegalArgumentException(
                        "--model must be a zoo name, a model file or a URI but was empty");
            }
            for (String f : freeze) {
                if (f == null || f.isEmpty()) {
                    throw new IllegalArgumentException(
                            "--freeze must be a parameter-name prefix such as 'features.' but was empty");
                }
            }
            try {
                new OptimizerSpec(optimizer, lr, momentum);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + e.getMessage(), e);
            }
            return new TrainingConfig(this);
        }

        private static void atLeast1(String name, int v) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be >= 1 but was: " + v);
            }
        }
    }
}
