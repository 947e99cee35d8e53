package org.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;
import org.kindling.data.batch.Batch;
import org.kindling.data.cifar.Cifar10;
import org.kindling.nn.io.ModelArchive;
import org.kindling.nn.training.Learner;
import org.kindling.nn.training.ModelState;
import org.kindling.spark.averaging.EpochPlan;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.TrainingListener;
import org.kindling.spark.dl4j.Dl4jBackend;
import org.kindling.spark.io.ModelSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J networks as the second model backend: a {@code MultiLayerNetwork} built with DL4J's own
 * builders and saved with {@code ModelSerializer} trains under Kindling's averaging exactly as DL4J
 * trains it, and the result saves back as a DL4J zip and as a Kindling archive.
 */
class Dl4jBackendTest {
    final JavaSparkContext sc = LocalSpark.context();
    @TempDir Path tmp;

    /** A small CIFAR-shaped convolutional network, written with DL4J's builders. */
    static MultiLayerNetwork dl4jNet(double lr) {
        MultiLayerConfiguration conf =
                new NeuralNetConfiguration.Builder()
                        .seed(7)
                        .updater(new Sgd(lr))
                        .weightInit(WeightInit.XAVIER)
                        .list()
                        .layer(
                                new ConvolutionLayer.Builder(5, 5)
                                        .nOut(8)
                                        .stride(1, 1)
                                        .activation(Activation.RELU)
                                        .build())
                        .layer(
                                new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                                        .kernelSize(2, 2)
                                        .stride(2, 2)
                                        .build())
                        .layer(
                                new DenseLayer.Builder()
                                        .nOut(32)
                                        .activation(Activation.RELU)
                                        .build())
                        .layer(
                                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                        .nOut(10)
                                        .activation(Activation.SOFTMAX)
                                        .build())
                        .setInputType(InputType.convolutional(32, 32, 3))
                        .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    Path writeZip(MultiLayerNetwork net) throws Exception {
        Path zip = tmp.resolve("dl4j-net.zip");
        ModelSerializer.writeModel(net, zip.toFile(), true);
        return zip;
    }

    static TrainingConfig config(int batch, int k, int workers, double lr, int epochs, Path zip) {
        return TrainingConfig.builder()
                .model(zip.toString())
                .epochs(epochs)
                .batchSize(batch)
                .averagingFrequency(k)
                .workers(workers)
                .lr(lr)
                .seed(11L)
                .threadsPerWorker(1)
                .build();
    }

    ModelState start(TrainingConfig cfg) {
        return ModelSource.open(cfg.model(), sc.hadoopConfiguration())
                .start(Cifar10.IMAGE_SHAPE, 10, cfg.optimizer(), cfg.freeze(), cfg.seed());
    }

    ParameterAveraging.Result fit(TrainingConfig cfg, JavaRDD<ImageRecord> train) {
        return new ParameterAveraging(sc, cfg, new TrainingListener() {})
                .fit(
                        new ImageDataset(
                                train, null, Cifar10.IMAGE_SHAPE, 10, Fixtures.norm(), "fixture"),
                        start(cfg));
    }

    static DataSet dataSet(List<ImageRecord> recs, int[] idx) {
        List<ImageRecord> sel = new ArrayList<>();
        for (int i : idx) sel.add(recs.get(i));
        Batch b = Batch.of(sel, Cifar10.IMAGE_SHAPE, Fixtures.norm(), 10, true);
        return new DataSet(b.features(), b.labels());
    }

    @Test
    void oneWorkerOnSparkEqualsDl4jsOwnFitExactly() throws Exception {
        Path zip = writeZip(dl4jNet(0.05));
        TrainingConfig cfg = config(16, 3, 1, 0.05, 2, zip);
        List<ImageRecord> recs = Fixtures.records(96, 3);
        ParameterAveraging.Result spark = fit(cfg, sc.parallelize(recs, 1));

        MultiLayerNetwork local = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), true);
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            for (int[] idx : EpochPlan.batches(recs.size(), 16, cfg.seed(), epoch, 0)) {
                local.fit(dataSet(recs, idx));
            }
        }
        float[] expected = local.params().toFloatVector();
        assertTrue(Fixtures.maxChange(start(cfg).parameters(), expected) > 1e-3, "training moved");
        assertArrayEquals(expected, spark.model().parameters());
    }

    /**
     * Class indices train the same whatever their type and shape (int64 [N] as a {@link Batch}
     * gives them, int32 [N], int32 [N, 1]), and the step, which frees the one-hot arrays it builds
     * from them, leaves the caller's labels open and unchanged.
     */
    @Test
    void labelsOfAnyIntegerFormTrainTheSameAndStayTheCallers() throws Exception {
        TrainingConfig cfg = config(16, 1, 1, 0.05, 1, writeZip(dl4jNet(0.05)));
        List<ImageRecord> recs = Fixtures.records(16, 5);
        Batch b = Batch.of(recs, Cifar10.IMAGE_SHAPE, Fixtures.norm(), 10, false);
        long[] classes = b.labels().toLongVector();
        INDArray[] forms = {
            b.labels(),
            b.labels().castTo(DataType.INT),
            b.labels().castTo(DataType.INT).reshape(classes.length, 1)
        };
        float[] first = null;
        for (INDArray labels : forms) {
            Learner learner = start(cfg).learner();
            learner.step(b.features(), labels);
            learner.step(b.features(), labels);
            String form = labels.dataType() + " labels " + Arrays.toString(labels.shape());
            assertFalse(labels.wasClosed() || labels.data().wasClosed(), form + " were freed");
            assertArrayEquals(classes, labels.toLongVector(), form);
            float[] p = learner.parameters();
            if (first == null) {
                first = p;
                assertTrue(Fixtures.maxChange(start(cfg).parameters(), p) > 1e-3, "training moved");
            } else {
                assertArrayEquals(first, p, form);
            }
        }
    }

    @Test
    void averagingEveryStepWithSgdEqualsSynchronousSgdOnTheGlobalBatch() throws Exception {
        Path zip = writeZip(dl4jNet(0.1));
        TrainingConfig cfg = config(8, 1, 2, 0.1, 1, zip);
        List<ImageRecord> recs = Fixtures.records(64, 5);
        JavaRDD<ImageRecord> rdd = sc.parallelize(recs, 2);
        List<List<ImageRecord>> shards = rdd.glom().collect();
        ParameterAveraging.Result spark = fit(cfg, rdd);

        MultiLayerNetwork sync = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), true);
        List<int[]> p0 = EpochPlan.batches(32, 8, cfg.seed(), 1, 0);
        List<int[]> p1 = EpochPlan.batches(32, 8, cfg.seed(), 1, 1);
        for (int step = 0; step < p0.size(); step++) {
            sync.fit(
                    DataSet.merge(
                            List.of(
                                    dataSet(shards.get(0), p0.get(step)),
                                    dataSet(shards.get(1), p1.get(step)))));
        }
        float[] expected = sync.params().toFloatVector();
        float[] actual = spark.model().parameters();
        double maxDiff = Fixtures.maxChange(expected, actual);
        double maxAbs = 0;
        for (float v : expected) maxAbs = Math.max(maxAbs, Math.abs(v));
        assertTrue(
                maxDiff < 1e-5 * maxAbs, "max difference " + maxDiff + " (max |p| " + maxAbs + ")");
        assertTrue(Fixtures.maxChange(start(cfg).parameters(), actual) > 1e-3, "training moved");
    }

    @Test
    void theTrainedNetworkSavesAsADl4jZipAndAsAKindlingArchive() throws Exception {
        Path zip = writeZip(dl4jNet(0.05));
        TrainingConfig cfg = config(16, 2, 2, 0.05, 1, zip);
        List<ImageRecord> recs = Fixtures.records(64, 6);
        ParameterAveraging.Result r = fit(cfg, sc.parallelize(recs, 2));

        ByteArrayOutputStream dl4j = new ByteArrayOutputStream();
        Dl4jBackend.write(r.model(), dl4j);
        MultiLayerNetwork back =
                ModelSerializer.restoreMultiLayerNetwork(
                        new ByteArrayInputStream(dl4j.toByteArray()), true);
        assertArrayEquals(r.model().parameters(), back.params().toFloatVector());
        assertArrayEquals(
                r.model().optimizerState(),
                back.getUpdater().getStateViewArray() == null
                        ? new float[0]
                        : back.getUpdater().getStateViewArray().toFloatVector());

        ModelArchive archive = new ModelArchive(r.model());
        ModelState loaded =
                ModelArchive.read(new ByteArrayInputStream(archive.toBytes()), "dl4j.kindling")
                        .state();
        assertEquals(r.model().definition().spec(), loaded.definition().spec());
        assertEquals(r.model().definition(), loaded.definition());
        assertArrayEquals(r.model().parameters(), loaded.parameters());
        INDArray x = dataSet(recs, new int[] {0, 1, 2, 3}).getFeatures();
        assertEquals(back.output(x), loaded.learner().predict(x));
    }

    @Test
    void aDl4jNetworkWithTheWrongNumberOfOutputsIsRefusedNamingBoth() throws Exception {
        Path zip = writeZip(dl4jNet(0.05));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ModelSource.open(zip.toString(), sc.hadoopConfiguration())
                                        .start(
                                                Cifar10.IMAGE_SHAPE,
                                                7,
                                                org.kindling.nn.training.OptimizerSpec.sgd(0.1),
                                                List.of(),
                                                1));
        assertEquals(
                "dl4j-net: the DL4J output layer has nOut=10 but the data has 7 classes",
                e.getMessage());
    }

    @Test
    void aForeignZipIsNotTakenForAModel() throws Exception {
        Path zip = tmp.resolve("other.zip");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            z.write(1);
        }
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ModelSource.open(zip.toString(), sc.hadoopConfiguration()));
        assertTrue(
                e.getMessage().startsWith("--model '" + zip + "' is a zip but neither"),
                e.getMessage());
    }
}
