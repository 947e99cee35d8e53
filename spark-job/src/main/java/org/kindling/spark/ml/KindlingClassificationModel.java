package org.kindling.spark.ml;

import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.kindling.data.batch.Normalization;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.training.ModelState;

/**
 * A fitted {@link KindlingClassifier}: the trained network ({@link #state()}), the normalisation
 * computed from the training images ({@link #normalization()}) and the params that made it. {@code
 * transform} scores the images of {@code featuresCol} in parallel (the model is broadcast once;
 * each partition builds one network and runs it on mini-batches of {@code batchSize}) and appends
 * {@code rawPredictionCol} (the network's class scores, a vector), {@code probabilityCol} (a
 * vector) and {@code predictionCol} (the arg-max class index, a double).
 *
 * <p>{@code save(path)} writes Spark ML's params metadata ({@code path/metadata}), the network as a
 * Kindling archive ({@code path/model.kindling}) and the normalisation ({@code
 * path/normalization.json}), to any Hadoop file system; {@link #load} reads them back.
 */
public final class KindlingClassificationModel extends Model<KindlingClassificationModel>
        implements MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final KindlingParams p;
    private final ModelState state;
    private final Normalization normalization;

    /**
     * @param state the trained network; its definition gives the input shape [C, H, W] and classes
     * @param normalization per-channel normalisation of pixels scaled to [0, 1]
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public KindlingClassificationModel(String uid, ModelState state, Normalization normalization) {
        if (normalization.channels() != state.definition().inputShape()[0]) {
            throw new IllegalArgumentException(
                    normalization
                            + " has "
                            + normalization.channels()
                            + " channels but the model expects "
                            + Arrays.toString(state.definition().inputShape()));
        }
        this.uid = uid;
        this.state = state;
        this.normalization = normalization;
        this.p = new KindlingParams(this);
        for (ParamPair<?> d : p.defaults()) {
            setDefault((Param) d.param(), d.value());
        }
    }

    /** Loads a model written by {@link #save}. */
    public static MLReader<KindlingClassificationModel> read() {
        return new ModelPersistence.Reader();
    }

    /** {@code read().load(path)}. */
    public static KindlingClassificationModel load(String path) {
        return read().load(path);
    }

    @Override
    public MLWriter write() {
        return new ModelPersistence.Writer(this);
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The trained network (definition, parameters, buffers, training position). */
    public ModelState state() {
        return state;
    }

    /** The per-channel normalisation computed from the training images. */
    public Normalization normalization() {
        return normalization;
    }

    /** Number of classes the network predicts. */
    public int numClasses() {
        return state.definition().numClasses();
    }

    // ---- params (the estimator's, so the model carries the settings that made it)

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

    public KindlingClassificationModel setFeaturesCol(String v) {
        return (KindlingClassificationModel) set(p.featuresCol, v);
    }

    public KindlingClassificationModel setPredictionCol(String v) {
        return (KindlingClassificationModel) set(p.predictionCol, v);
    }

    public KindlingClassificationModel setProbabilityCol(String v) {
        return (KindlingClassificationModel) set(p.probabilityCol, v);
    }

    public KindlingClassificationModel setRawPredictionCol(String v) {
        return (KindlingClassificationModel) set(p.rawPredictionCol, v);
    }

    /** Images per forward pass when scoring. */
    public KindlingClassificationModel setBatchSize(int v) {
        return (KindlingClassificationModel) set(p.batchSize, v);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        long[] shape = null;
        if (isDefined(p.imageShape)) {
            shape = Arrays.stream((int[]) $(p.imageShape)).asLongStream().toArray();
        }
        ImageColumn images = ImageColumn.of(dataset.schema(), $(p.featuresCol), shape);
        JavaSparkContext sc =
                JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        boolean local = sc.master().startsWith("local");
        int threads =
                local
                        ? Nd4jRuntime.threadsFor(sc.defaultParallelism())
                        : sc.getConf().getInt("spark.task.cpus", 1);
        Broadcast<Scoring> bc =
                sc.broadcast(
                        new Scoring(
                                state, normalization, images, (Integer) $(p.batchSize), threads));
        @SuppressWarnings("unchecked")
        JavaRDD<Row> rows = ((Dataset<Row>) dataset).javaRDD();
        JavaRDD<Row> scored = rows.mapPartitions(it -> bc.value().score(it));
        return dataset.sparkSession().createDataFrame(scored, out);
    }

    /**
     * Checks the features column and adds the output columns.
     *
     * @throws IllegalArgumentException naming the column and what was expected
     */
    @Override
    public StructType transformSchema(StructType schema) {
        long[] shape =
                isDefined(p.imageShape)
                        ? Arrays.stream((int[]) $(p.imageShape)).asLongStream().toArray()
                        : null;
        ImageColumn.of(schema, $(p.featuresCol), shape);
        return outputSchema(schema, $(p.rawPredictionCol), $(p.probabilityCol), $(p.predictionCol));
    }

    /** {@code schema} with the three output columns appended. */
    static StructType outputSchema(
            StructType schema, String rawCol, String probCol, String predCol) {
        for (String c : new String[] {rawCol, probCol, predCol}) {
            if (Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new IllegalArgumentException(
                        "output column '"
                                + c
                                + "' already exists; the columns are "
                                + Arrays.toString(schema.fieldNames())
                                + " (set rawPredictionCol, probabilityCol or predictionCol to a"
                                + " new name)");
            }
        }
        return schema.add(rawCol, SQLDataTypes.VectorType(), false)
                .add(probCol, SQLDataTypes.VectorType(), false)
                .add(predCol, DataTypes.DoubleType, false);
    }

    @Override
    public KindlingClassificationModel copy(ParamMap extra) {
        KindlingClassificationModel m =
                copyValues(new KindlingClassificationModel(uid, state, normalization), extra);
        return parent() == null ? m : m.setParent(parent());
    }
}
