package org.kindling.spark.ml;

import java.util.Arrays;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.kindling.data.ChannelStatistics;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.Partitioning;
import org.kindling.data.batch.Normalization;
import org.kindling.nn.training.ModelState;
import org.kindling.spark.TrainingConfig;
import org.kindling.spark.TrainingJob;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.TrainingListener;
import org.kindling.spark.io.ModelSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Spark ML {@code Estimator} that trains a Kindling network on a DataFrame of labelled images
 * with synchronous parameter averaging ({@link ParameterAveraging}, the command line's trainer):
 *
 * <pre>{@code
 * new Pipeline().setStages(new PipelineStage[] {
 *     new StringIndexer().setInputCol("class_name").setOutputCol("label"),
 *     new KindlingClassifier().setEpochs(2).setNumWorkers(2)})
 * }</pre>
 *
 * <p>Images ({@code featuresCol}, default {@code image}) are Kindling's {@code ImageFrames} schema
 * or Spark's image data source; labels ({@code labelCol}) are class indices, int or double. {@code
 * fit} converts the rows to records in one partition per worker, computes the per-channel
 * normalisation of the training images ({@link ChannelStatistics}), builds the {@code network} and
 * trains it; the {@link KindlingClassificationModel} carries the network, the normalisation and
 * these params. Bad param values fail when set, with the command line's messages.
 */
public final class KindlingClassifier extends Estimator<KindlingClassificationModel>
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(KindlingClassifier.class);

    private final String uid;
    private final KindlingParams p;

    public KindlingClassifier() {
        this(Identifiable$.MODULE$.randomUID("kindling"));
    }

    /** With a given uid (Spark ML's copy and load use this constructor). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public KindlingClassifier(String uid) {
        this.uid = uid;
        this.p = new KindlingParams(this);
        for (ParamPair<?> d : p.defaults()) {
            setDefault((Param) d.param(), d.value());
        }
    }

    /** Loads a classifier saved with {@code save} (its params). */
    public static MLReader<KindlingClassifier> read() {
        return new DefaultParamsReader<>();
    }

    /** {@code read().load(path)}. */
    public static KindlingClassifier load(String path) {
        return read().load(path);
    }

    @Override
    public String uid() {
        return uid;
    }

    // ---- params (Spark ML finds them by these public methods)

    public Param<String> network() {
        return p.network;
    }

    public IntParam epochs() {
        return p.epochs;
    }

    public IntParam batchSize() {
        return p.batchSize;
    }

    public IntParam averagingFrequency() {
        return p.averagingFrequency;
    }

    public IntParam numWorkers() {
        return p.numWorkers;
    }

    public Param<String> optimizer() {
        return p.optimizer;
    }

    public DoubleParam learningRate() {
        return p.learningRate;
    }

    public DoubleParam momentum() {
        return p.momentum;
    }

    public LongParam seed() {
        return p.seed;
    }

    public IntArrayParam imageShape() {
        return p.imageShape;
    }

    public Param<String> featuresCol() {
        return p.featuresCol;
    }

    public Param<String> labelCol() {
        return p.labelCol;
    }

    public Param<String> predictionCol() {
        return p.predictionCol;
    }

    public Param<String> probabilityCol() {
        return p.probabilityCol;
    }

    public Param<String> rawPredictionCol() {
        return p.rawPredictionCol;
    }

    // ---- setters

    /** A zoo name, or the path or URI of a Kindling archive, spec JSON or DL4J zip. */
    public KindlingClassifier setNetwork(String v) {
        return (KindlingClassifier) set(p.network, v);
    }

    public KindlingClassifier setEpochs(int v) {
        return (KindlingClassifier) set(p.epochs, v);
    }

    /** Images per mini-batch on each worker. */
    public KindlingClassifier setBatchSize(int v) {
        return (KindlingClassifier) set(p.batchSize, v);
    }

    /** Mini-batches per worker between two averagings. */
    public KindlingClassifier setAveragingFrequency(int v) {
        return (KindlingClassifier) set(p.averagingFrequency, v);
    }

    public KindlingClassifier setNumWorkers(int v) {
        return (KindlingClassifier) set(p.numWorkers, v);
    }

    public KindlingClassifier setOptimizer(String v) {
        return (KindlingClassifier) set(p.optimizer, v);
    }

    public KindlingClassifier setLearningRate(double v) {
        return (KindlingClassifier) set(p.learningRate, v);
    }

    public KindlingClassifier setMomentum(double v) {
        return (KindlingClassifier) set(p.momentum, v);
    }

    public KindlingClassifier setSeed(long v) {
        return (KindlingClassifier) set(p.seed, v);
    }

    /** [channels, height, width]. */
    public KindlingClassifier setImageShape(int[] v) {
        return (KindlingClassifier) set(p.imageShape, v);
    }

    public KindlingClassifier setFeaturesCol(String v) {
        return (KindlingClassifier) set(p.featuresCol, v);
    }

    public KindlingClassifier setLabelCol(String v) {
        return (KindlingClassifier) set(p.labelCol, v);
    }

    public KindlingClassifier setPredictionCol(String v) {
        return (KindlingClassifier) set(p.predictionCol, v);
    }

    public KindlingClassifier setProbabilityCol(String v) {
        return (KindlingClassifier) set(p.probabilityCol, v);
    }

    public KindlingClassifier setRawPredictionCol(String v) {
        return (KindlingClassifier) set(p.rawPredictionCol, v);
    }

    /**
     * The training configuration these params make, validated by {@link TrainingConfig} (workers
     * not yet resolved when {@code numWorkers} is 0).
     */
    public TrainingConfig trainingConfig() {
        int w = (Integer) $(p.numWorkers);
        try {
            return TrainingConfig.builder()
                    .model($(p.network))
                    .epochs((Integer) $(p.epochs))
                    .batchSize((Integer) $(p.batchSize))
                    .averagingFrequency((Integer) $(p.averagingFrequency))
                    .workers(w == 0 ? null : w)
                    .optimizer($(p.optimizer))
                    .lr((Double) $(p.learningRate))
                    .momentum((Double) $(p.momentum))
                    .seed((Long) $(p.seed))
                    .build();
        } catch (IllegalArgumentException e) {
            // a combination of params (each is checked when set), e.g. optimizer and momentum
            throw new IllegalArgumentException(uid + " params: " + e.getMessage(), e);
        }
    }

    @Override
    public KindlingClassificationModel fit(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        transformSchema(schema);
        Map<String, Object> values = KindlingParams.values(this);
        log.info("{} fit starts with params {}", uid, values);
        JavaSparkContext sc =
                JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        TrainingConfig cfg = TrainingJob.resolve(sc, trainingConfig());

        ImageColumn images = ImageColumn.of(schema, $(p.featuresCol), shapeParam());
        LabelColumn labels = LabelColumn.of(schema, $(p.labelCol));
        @SuppressWarnings("unchecked")
        Dataset<Row> rows = (Dataset<Row>) dataset;
        long[] shape = shapeParam() != null ? shapeParam() : images.read(rows.first()).shape();
        long[] s = shape.clone();
        JavaRDD<ImageRecord> converted =
                rows.javaRDD()
                        .map(
                                r -> {
                                    ImageColumn.Pixels px = images.read(r);
                                    if (!Arrays.equals(px.shape(), s)) {
                                        throw new IllegalArgumentException(
                                                "image "
                                                        + px.origin()
                                                        + " in featuresCol '"
                                                        + images.name()
                                                        + "' has shape "
                                                        + Arrays.toString(px.shape())
                                                        + ", expected "
                                                        + Arrays.toString(s)
                                                        + " [C, H, W] like the first image"
                                                        + " (or set imageShape)");
                                    }
                                    return new ImageRecord(labels.read(r), px.chw());
                                });
        JavaRDD<ImageRecord> train =
                Partitioning.byIndex(converted, cfg.workers(), null)
                        .persist(StorageLevel.MEMORY_ONLY());
        try {
            int classes =
                    labels.declaredClasses() > 0
                            ? labels.declaredClasses()
                            : train.map(ImageRecord::label).reduce(Math::max) + 1;
            Normalization norm = ChannelStatistics.of(train, (int) shape[0]);
            ImageDataset data =
                    new ImageDataset(
                            train,
                            null,
                            shape,
                            classes,
                            norm,
                            "DataFrame column " + images.name() + " (" + uid + ")");
            ModelState start =
                    ModelSource.open(cfg.modelOrDefault(), sc.hadoopConfiguration())
                            .start(shape, classes, cfg.optimizer(), cfg.freeze(), cfg.seed());
            ParameterAveraging.Result r =
                    new ParameterAveraging(sc, cfg, new LogListener(uid)).fit(data, start);
            KindlingClassificationModel model =
                    new KindlingClassificationModel(uid, r.model(), norm);
            return copyValues(model, ParamMap.empty()).setParent(this);
        } finally {
            train.unpersist(false);
        }
    }

    private long[] shapeParam() {
        return isDefined(p.imageShape)
                ? Arrays.stream((int[]) $(p.imageShape)).asLongStream().toArray()
                : null;
    }

    /**
     * Checks the features and label columns and adds the output columns.
     *
     * @throws IllegalArgumentException naming the column and what was expected
     */
    @Override
    public StructType transformSchema(StructType schema) {
        ImageColumn.of(schema, $(p.featuresCol), shapeParam());
        LabelColumn.of(schema, $(p.labelCol));
        return KindlingClassificationModel.outputSchema(
                schema, $(p.rawPredictionCol), $(p.probabilityCol), $(p.predictionCol));
    }

    @Override
    public KindlingClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Logs the trainer's settings, rounds and epochs. */
    private record LogListener(String uid) implements TrainingListener {
        @Override
        public void onStart(Map<String, Object> settings) {
            log.info("{} trains with {}", uid, settings);
        }

        @Override
        public void onRound(
                int epoch, int epochs, int round, int rounds, double loss, double imagesPerSecond) {
            log.info(
                    "{} epoch {}/{} round {}/{} loss {} ({} images/s)",
                    uid,
                    epoch,
                    epochs,
                    round,
                    rounds,
                    String.format("%.4f", loss),
                    String.format("%.0f", imagesPerSecond));
        }

        @Override
        public void onEpoch(
                int epoch, int epochs, double trainLoss, double testAccuracy, double seconds) {
            log.info(
                    "{} epoch {}/{} done: train loss {} in {} s",
                    uid,
                    epoch,
                    epochs,
                    String.format("%.4f", trainLoss),
                    String.format("%.1f", seconds));
        }
    }
}
