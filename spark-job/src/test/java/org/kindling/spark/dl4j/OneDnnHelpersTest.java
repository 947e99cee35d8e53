package org.kindling.spark.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Kindling's oneDNN helpers compute what DL4J's own helpers compute, on the layers they take, and
 * leave the others to DL4J.
 */
class OneDnnHelpersTest {
    static {
        // DL4J's own oneDNN helpers, the reference (Dl4jBackend sets this too)
        System.setProperty("org.eclipse.deeplearning4j.helpers.disable", "false");
    }

    private static ConvolutionLayer conv(int out, int k, int s, int p, Activation act) {
        return new ConvolutionLayer.Builder(k, k)
                .nOut(out)
                .stride(s, s)
                .padding(p, p)
                .activation(act)
                .build();
    }

    private static SubsamplingLayer pool(SubsamplingLayer.PoolingType type) {
        return new SubsamplingLayer.Builder(type).kernelSize(2, 2).stride(2, 2).build();
    }

    /** A network of {@code layers} on 3 x 32 x 32 inputs, ending in dense + softmax output. */
    private static MultiLayerNetwork net(Layer... layers) {
        NeuralNetConfiguration.ListBuilder b =
                new NeuralNetConfiguration.Builder()
                        .seed(7)
                        .updater(new Sgd(0.05))
                        .weightInit(WeightInit.XAVIER)
                        .list();
        for (Layer l : layers) b.layer(l);
        MultiLayerConfiguration conf =
                b.layer(new DenseLayer.Builder().nOut(16).activation(Activation.IDENTITY).build())
                        .layer(
                                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                        .nOut(10)
                                        .activation(Activation.SOFTMAX)
                                        .build())
                        .setInputType(InputType.convolutional(32, 32, 3))
                        .build();
        conf.setTrainingWorkspaceMode(WorkspaceMode.ENABLED);
        conf.setInferenceWorkspaceMode(WorkspaceMode.ENABLED);
        conf.setCacheMode(CacheMode.HOST); // as Dl4jBackend configures its networks
        for (NeuralNetConfiguration c : conf.getConfs()) c.setCacheMode(CacheMode.HOST);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static DataSet data(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 3, 32, 32).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 10);
        for (int i = 0; i < 16; i++) y.putScalar(i, (i * 7) % 10, 1f);
        return new DataSet(x, y);
    }

    /**
     * Trains {@code make}'s network with DL4J's helpers and with Kindling's for 4 steps on changing
     * data: every gradient and the parameters after each step agree.
     */
    private static int assertTrainsAsDl4j(java.util.function.Supplier<MultiLayerNetwork> make) {
        MultiLayerNetwork dl4j = make.get();
        MultiLayerNetwork ours = make.get();
        int installed = OneDnnHelpers.install(ours);
        float[] start = dl4j.params().toFloatVector();
        for (int step = 0; step < 4; step++) {
            DataSet d = data(step % 2);
            assertEquals(
                    0.0,
                    dl4j.output(d.getFeatures())
                            .sub(ours.output(d.getFeatures()))
                            .amaxNumber()
                            .doubleValue(),
                    1e-5,
                    "outputs at step " + step);
            for (MultiLayerNetwork n : new MultiLayerNetwork[] {dl4j, ours}) {
                n.setInput(d.getFeatures());
                n.setLabels(d.getLabels());
                n.computeGradientAndScore();
            }
            Map<String, INDArray> want = dl4j.gradient().gradientForVariable();
            Map<String, INDArray> got = ours.gradient().gradientForVariable();
            assertEquals(want.keySet(), got.keySet());
            for (String k : want.keySet()) {
                double scale = Math.max(1e-3, want.get(k).amaxNumber().doubleValue());
                double diff = want.get(k).sub(got.get(k)).amaxNumber().doubleValue();
                assertTrue(
                        diff <= 1e-5 * scale,
                        "gradient " + k + " at step " + step + ": off by " + diff + " of " + scale);
            }
            dl4j.fit(d);
            ours.fit(d);
            double pd = dl4j.params().sub(ours.params()).amaxNumber().doubleValue();
            assertTrue(pd <= 1e-6, "parameters after step " + step + " differ by " + pd);
        }
        float[] end = dl4j.params().toFloatVector();
        double moved = 0;
        for (int i = 0; i < end.length; i++) moved = Math.max(moved, Math.abs(end[i] - start[i]));
        assertTrue(moved > 1e-3, "training moved the parameters: " + moved);
        return installed;
    }

    @Test
    void theCourseNetTrainsAsWithDl4jsHelpersWithoutTheFirstInputGradient() {
        java.util.function.Supplier<MultiLayerNetwork> course =
                () ->
                        net(
                                conv(8, 5, 1, 2, Activation.IDENTITY),
                                pool(SubsamplingLayer.PoolingType.MAX),
                                conv(8, 5, 1, 2, Activation.IDENTITY),
                                pool(SubsamplingLayer.PoolingType.MAX));
        assertEquals(4, assertTrainsAsDl4j(course));
        MultiLayerNetwork n = course.get();
        OneDnnHelpers.install(n);
        OneDnnHelpers.Conv first =
                assertInstanceOf(OneDnnHelpers.Conv.class, n.getLayer(0).getHelper());
        OneDnnHelpers.Conv second =
                assertInstanceOf(OneDnnHelpers.Conv.class, n.getLayer(2).getHelper());
        assertFalse(first.inputGradient(), "nothing reads the first layer's input gradient");
        assertTrue(second.inputGradient());
        assertInstanceOf(OneDnnHelpers.Pool.class, n.getLayer(1).getHelper());
    }

    @Test
    void reluAndStridedConvolutionsTrainAsWithDl4jsHelpers() {
        assertEquals(
                3,
                assertTrainsAsDl4j(
                        () ->
                                net(
                                        conv(8, 3, 2, 1, Activation.RELU),
                                        conv(8, 3, 1, 1, Activation.RELU),
                                        pool(SubsamplingLayer.PoolingType.MAX))));
    }

    @Test
    void shapesTheKernelsDoNotCoverGoToDl4j() {
        // kernel 2, stride 3, padding 1 on 32: the last window ends before the right padding
        // (DL4J's truncation), which oneDNN cannot express; Same mode and average pooling are
        // left to DL4J's helpers from the start
        int installed =
                assertTrainsAsDl4j(
                        () ->
                                net(
                                        conv(8, 2, 3, 1, Activation.IDENTITY),
                                        new ConvolutionLayer.Builder(3, 3)
                                                .nOut(8)
                                                .convolutionMode(ConvolutionMode.Same)
                                                .activation(Activation.IDENTITY)
                                                .build(),
                                        pool(SubsamplingLayer.PoolingType.AVG)));
        assertEquals(1, installed);
    }
}
