package org.kindling.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.ChannelStatistics;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.batch.Normalization;
import org.kindling.nn.training.ModelState;
import org.kindling.spark.TrainingConfig;
import org.kindling.spark.TrainingJob;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.TrainingListener;
import org.kindling.spark.io.ModelSource;

/** KindlingClassifier in Spark local mode on generated CIFAR-shaped images. */
class KindlingClassifierTest {
    @TempDir Path tmp;

    static KindlingClassifier classifier() {
        return new KindlingClassifier()
                .setEpochs(1)
                .setBatchSize(16)
                .setAveragingFrequency(2)
                .setNumWorkers(2)
                .setMomentum(0.9);
    }

    @Test
    void fitTransformSaveLoadAndTransformAgainGiveIdenticalOutput() throws Exception {
        Dataset<Row> train = MlFixtures.frame(MlFixtures.records(120, 1));
        Dataset<Row> test = MlFixtures.frame(MlFixtures.records(40, 2));
        KindlingClassificationModel model = classifier().fit(train);

        assertEquals(10, model.numClasses());
        assertEquals(3, model.normalization().channels());
        Dataset<Row> scored = model.transform(test);
        assertEquals(40, scored.count());
        Row first = scored.first();
        Vector raw = first.getAs("rawPrediction");
        Vector prob = first.getAs("probability");
        double pred = first.getAs("prediction");
        assertEquals(10, raw.size());
        assertEquals(1.0, sum(prob), 1e-5);
        assertEquals(raw.argmax(), (int) pred);
        assertEquals("cifarnet", model.state().definition().name());
        assertEquals(1, (int) model.getOrDefault(model.epochs()), "the model carries its params");

        String path = tmp.resolve("model").toString();
        model.save(path);
        KindlingClassificationModel loaded = KindlingClassificationModel.load(path);
        assertEquals(model.uid(), loaded.uid());
        assertArrayEquals(model.state().parameters(), loaded.state().parameters());
        assertArrayEquals(model.normalization().mean(), loaded.normalization().mean());
        assertArrayEquals(model.normalization().std(), loaded.normalization().std());
        assertEquals(16, (int) loaded.getOrDefault(loaded.batchSize()));
        assertEquals(MlFixtures.outputs(scored), MlFixtures.outputs(loaded.transform(test)));
    }

    @Test
    void evaluatorAccuracyEqualsTheTrainersOwnEvaluation() {
        List<ImageRecord> trainRecs = MlFixtures.records(120, 3);
        List<ImageRecord> testRecs = MlFixtures.records(60, 4);
        JavaRDD<ImageRecord> train = MlFixtures.sc().parallelize(trainRecs, 2);
        JavaRDD<ImageRecord> test = MlFixtures.sc().parallelize(testRecs, 2);
        TrainingConfig cfg =
                TrainingJob.resolve(MlFixtures.sc(), classifier().setEpochs(2).trainingConfig());
        Normalization norm = ChannelStatistics.of(train, 3);
        ModelState start =
                ModelSource.open("cifarnet", MlFixtures.sc().hadoopConfiguration())
                        .start(MlFixtures.SHAPE, 10, cfg.optimizer(), List.of(), cfg.seed());
        ParameterAveraging trainer =
                new ParameterAveraging(MlFixtures.sc(), cfg, new TrainingListener() {});
        ParameterAveraging.Result r =
                trainer.fit(
                        new ImageDataset(train, test, MlFixtures.SHAPE, 10, norm, "fixture"),
                        start);
        KindlingClassificationModel model =
                new KindlingClassificationModel("trained-by-hand", r.model(), norm);

        MulticlassClassificationEvaluator accuracy =
                new MulticlassClassificationEvaluator().setMetricName("accuracy");
        double evaluated = accuracy.evaluate(model.transform(MlFixtures.frame(testRecs)));
        assertTrue(r.finalAccuracy() > 0.1, "the trainer learned something: " + r.finalAccuracy());
        assertEquals(r.finalAccuracy(), evaluated, 1e-12);

        // and the estimator's own model, scored by the trainer's evaluation and by Spark ML
        KindlingClassificationModel fitted =
                classifier().setEpochs(2).fit(MlFixtures.frame(trainRecs));
        ImageDataset testData =
                new ImageDataset(train, test, MlFixtures.SHAPE, 10, fitted.normalization(), "fx");
        assertEquals(
                trainer.evaluate(testData, fitted.state()),
                accuracy.evaluate(fitted.transform(MlFixtures.frame(testRecs))),
                1e-12);
    }

    @Test
    void pipelineWithStringIndexerOnClassNamesTrainsSavesAndLoads() throws Exception {
        // class names only: the numeric label column is dropped
        Dataset<Row> train = MlFixtures.frame(MlFixtures.records(240, 7)).drop("label");
        Dataset<Row> test = MlFixtures.frame(MlFixtures.records(90, 8)).drop("label");
        Pipeline pipeline =
                new Pipeline()
                        .setStages(
                                new PipelineStage[] {
                                    new StringIndexer()
                                            .setInputCol("class_name")
                                            .setOutputCol("label"),
                                    classifier().setEpochs(3)
                                });
        PipelineModel fitted = pipeline.fit(train);
        Dataset<Row> scored = fitted.transform(test);
        double acc =
                new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
        // the class is visible as a bright band, so a trained net is far above 10% chance
        assertTrue(acc > 0.5, "accuracy " + acc);

        String path = tmp.resolve("pipeline").toString();
        fitted.save(path);
        PipelineModel loaded = PipelineModel.load(path);
        assertTrue(loaded.stages()[1] instanceof KindlingClassificationModel);
        assertEquals(MlFixtures.outputs(scored), MlFixtures.outputs(loaded.transform(test)));

        pipeline.save(tmp.resolve("unfitted").toString());
        Pipeline reread = Pipeline.load(tmp.resolve("unfitted").toString());
        KindlingClassifier c = (KindlingClassifier) reread.getStages()[1];
        assertEquals(3, (int) c.getOrDefault(c.epochs()));
        assertEquals(0.9, (double) c.getOrDefault(c.momentum()));
    }

    @Test
    void everyParamOfTheClassifierSurvivesSaveAndLoad() throws Exception {
        KindlingClassifier c =
                classifier()
                        .setNetwork("lenet5")
                        .setOptimizer("adam")
                        .setMomentum(0.0)
                        .setLearningRate(0.002)
                        .setSeed(7)
                        .setImageShape(new int[] {1, 28, 28})
                        .setFeaturesCol("pixels")
                        .setLabelCol("y")
                        .setPredictionCol("p")
                        .setProbabilityCol("prob")
                        .setRawPredictionCol("raw");
        String path = tmp.resolve("classifier").toString();
        c.save(path);
        KindlingClassifier loaded = KindlingClassifier.load(path);
        assertEquals(c.uid(), loaded.uid());
        for (org.apache.spark.ml.param.Param<?> p : c.params()) {
            Object want = c.getOrDefault(p);
            Object got = loaded.getOrDefault(loaded.getParam(p.name()));
            if (want instanceof int[] a) {
                assertArrayEquals(a, (int[]) got, p.name());
            } else {
                assertEquals(want, got, p.name());
            }
        }
        assertEquals(15, c.params().length, "every param is declared and found by Spark ML");
        assertEquals(c.trainingConfig().asMap(), loaded.trainingConfig().asMap());
    }

    @Test
    void badParamsAreRejectedNamingTheParamTheValueAndWhatWasExpected() {
        KindlingClassifier c = new KindlingClassifier();
        assertMessage(
                () -> c.setEpochs(0),
                "KindlingClassifier param epochs: --epochs must be >= 1 but was: 0");
        assertMessage(
                () -> c.setBatchSize(-3),
                "KindlingClassifier param batchSize: --batch-size must be >= 1 but was: -3");
        assertMessage(
                () -> c.setAveragingFrequency(0),
                "KindlingClassifier param averagingFrequency: --averaging-frequency must be >= 1"
                        + " but was: 0");
        assertMessage(
                () -> c.setNumWorkers(-1),
                "KindlingClassifier param numWorkers: --workers must be >= 1 but was: -1");
        assertMessage(() -> c.setOptimizer("sgdd"), "KindlingClassifier param optimizer: --");
        assertMessage(() -> c.setOptimizer("sgdd"), "sgdd");
        assertMessage(() -> c.setLearningRate(-1), "KindlingClassifier param learningRate: --");
        assertMessage(() -> c.setNetwork(" "), "KindlingClassifier param network: --model");
        assertMessage(
                () -> c.setImageShape(new int[] {2, 32, 32}),
                "KindlingClassifier param imageShape: --channels must be 1 (grayscale) or 3"
                        + " (RGB) but was: 2");
        assertMessage(() -> c.setFeaturesCol(""), "KindlingClassifier param featuresCol");
        assertEquals(1, (int) c.getOrDefault(c.epochs()), "rejected values are not kept");

        Dataset<Row> df = MlFixtures.frame(MlFixtures.records(20, 5));
        assertMessage(
                () -> classifier().setFeaturesCol("height").fit(df),
                "featuresCol 'height' has type int; expected binary CHW bytes");
        assertMessage(
                () -> classifier().setLabelCol("class_name").fit(df),
                "labelCol 'class_name' has type string; expected class indices as int or double");
        assertMessage(() -> classifier().setLabelCol("nope").fit(df), "labelCol 'nope' is not");
        Dataset<Row> fractional = df.withColumn("label", functions.lit(2.5));
        assertMessage(
                () -> classifier().fit(fractional),
                "labelCol 'label' has value 2.5; expected a class index: an integer >= 0");
        Dataset<Row> negative = df.withColumn("label", functions.lit(-1));
        assertMessage(
                () -> classifier().fit(negative),
                "labelCol 'label' has value -1.0; expected a class index");
        Dataset<Row> twoClasses =
                df.withColumn(
                        "label",
                        df.col("label")
                                .as(
                                        "label",
                                        NominalAttribute.defaultAttr()
                                                .withNumValues(2)
                                                .toMetadata()));
        assertMessage(
                () -> classifier().fit(twoClasses),
                "expected a class index: an integer in 0..1 (the column's metadata declares 2"
                        + " classes)");
        assertMessage(
                () -> classifier().setOptimizer("adam").fit(df),
                ": --momentum applies to sgd and rmsprop only, but optimizer is 'adam' and"
                        + " momentum was: 0.9");
        assertMessage(
                () -> classifier().setNetwork("lenet5").fit(df),
                "lenet5"); // a 1-channel 28x28 network for 3x32x32 images
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable e, String expected) {
        Throwable t = assertThrows(Exception.class, e);
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        assertTrue(
                all.toString().contains(expected),
                "expected a message containing [" + expected + "] but got: " + all);
    }

    private static double sum(Vector v) {
        double s = 0;
        for (double x : v.toArray()) s += x;
        return s;
    }
}
