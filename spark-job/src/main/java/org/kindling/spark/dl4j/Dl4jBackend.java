package org.kindling.spark.dl4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.kindling.nn.training.ModelBackend;
import org.kindling.nn.training.ModelDefinition;
import org.kindling.nn.training.ModelState;
import org.kindling.nn.training.OptimizerSpec;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;

/**
 * The {@code dl4j} backend: a definition's spec is a DL4J {@link MultiLayerConfiguration} JSON. The
 * network is trained by DL4J's own {@code fit} on each mini-batch, with the definition's optimizer
 * as DL4J updater on every layer; the averaged state is DL4J's flat parameter vector and its
 * updater state view. Convolutions take DL4J's oneDNN helpers (the fast CPU path of PERFORMANCE.md,
 * checked at build time).
 */
public final class Dl4jBackend implements ModelBackend {
    /** The backend name. */
    public static final String NAME = "dl4j";

    static {
        // DL4J creates its oneDNN helpers only when this is false; its default is true.
        if (System.getProperty("org.eclipse.deeplearning4j.helpers.disable") == null) {
            System.setProperty("org.eclipse.deeplearning4j.helpers.disable", "false");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Dl4jLearner learner(ModelDefinition d, long seed) {
        MultiLayerConfiguration conf = configuration(d);
        for (NeuralNetConfiguration c : conf.getConfs()) {
            c.setSeed(seed);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return new Dl4jLearner(net, d);
    }

    @Override
    public Map<String, INDArray> stateDict(ModelState state) {
        Dl4jLearner l = (Dl4jLearner) state.learner();
        Map<String, INDArray> out = new LinkedHashMap<>();
        l.network().paramTable().forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    @Override
    public Dl4jLearner fromStateDict(ModelDefinition d, Map<String, INDArray> tensors) {
        Dl4jLearner l = learner(d, 0);
        Map<String, INDArray> table = l.network().paramTable();
        if (!table.keySet().equals(tensors.keySet())) {
            throw new IllegalArgumentException(
                    "DL4J parameters: expected keys "
                            + table.keySet()
                            + " but got "
                            + tensors.keySet());
        }
        for (Map.Entry<String, INDArray> e : table.entrySet()) {
            INDArray v = tensors.get(e.getKey());
            if (!java.util.Arrays.equals(v.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException(
                        "DL4J parameter "
                                + e.getKey()
                                + " has shape "
                                + java.util.Arrays.toString(v.shape())
                                + " but the network needs "
                                + java.util.Arrays.toString(e.getValue().shape()));
            }
            e.getValue().assign(v.castTo(e.getValue().dataType()));
        }
        return l;
    }

    /**
     * The state of a network read from a DL4J {@code ModelSerializer} zip, at the start of
     * training.
     *
     * @param name a readable name (e.g. the file name)
     * @param inputShape one example [C, H, W] (NCHW, DL4J's default layout)
     * @param numClasses the network's outputs
     * @param optimizer the updater to train with (replaces the zip's)
     * @throws IOException if the stream is not a DL4J MultiLayerNetwork zip
     */
    public static ModelState read(
            InputStream in,
            String name,
            long[] inputShape,
            int numClasses,
            OptimizerSpec optimizer,
            long seed)
            throws IOException {
        MultiLayerNetwork net;
        try {
            net = ModelSerializer.restoreMultiLayerNetwork(in, false);
        } catch (RuntimeException e) {
            throw new IOException(
                    name + ": not a DL4J MultiLayerNetwork zip (" + e.getMessage() + ")", e);
        }
        ModelDefinition d =
                new ModelDefinition(
                        NAME,
                        name,
                        net.getLayerWiseConfigurations().toJson(),
                        inputShape,
                        numClasses,
                        ModelDefinition.CROSS_ENTROPY,
                        optimizer,
                        List.of());
        Dl4jLearner l = new Dl4jBackend().learner(d, seed);
        l.setParameters(net.params().castTo(DataType.FLOAT).toFloatVector());
        return ModelState.of(d, l, org.kindling.nn.training.TrainingPosition.start(seed));
    }

    /** Writes {@code state} as a DL4J {@code ModelSerializer} zip (with its updater state). */
    public static void write(ModelState state, OutputStream out) throws IOException {
        if (!NAME.equals(state.definition().backend())) {
            throw new IllegalArgumentException(
                    "--save dl4j needs a DL4J model, but '"
                            + state.definition().name()
                            + "' is a "
                            + state.definition().backend()
                            + " model; use --save whole or params");
        }
        Dl4jLearner l = (Dl4jLearner) state.learner();
        ModelSerializer.writeModel(l.network(), new NonClosing(out), true);
    }

    /** The definition's configuration with Kindling's training settings applied. */
    static MultiLayerConfiguration configuration(ModelDefinition d) {
        if (!d.frozen().isEmpty()) {
            throw new IllegalArgumentException(
                    "--freeze is not supported for DL4J networks ('"
                            + d.name()
                            + "'); freeze layers in the DL4J configuration (FrozenLayer) instead");
        }
        MultiLayerConfiguration conf;
        try {
            conf = MultiLayerConfiguration.fromJson(d.spec());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    d.name() + ": not a DL4J MultiLayerConfiguration (" + e.getMessage() + ")", e);
        }
        List<NeuralNetConfiguration> confs = conf.getConfs();
        Layer last = confs.get(confs.size() - 1).getLayer();
        if (!(last instanceof BaseOutputLayer out)
                || !(out.getActivationFn() instanceof ActivationSoftmax)
                || !(out.getLossFn() instanceof LossMCXENT
                        || out.getLossFn() instanceof LossNegativeLogLikelihood)) {
            throw new IllegalArgumentException(
                    d.name()
                            + ": a DL4J network trained with cross-entropy must end in an OutputLayer with softmax activation and MCXENT (or NEGATIVELOGLIKELIHOOD) loss, but its last layer is "
                            + last);
        }
        if (out.getNOut() != d.numClasses()) {
            throw new IllegalArgumentException(
                    d.name()
                            + ": the DL4J output layer has nOut="
                            + out.getNOut()
                            + " but the data has "
                            + d.numClasses()
                            + " classes");
        }
        IUpdater u = updater(d.optimizer());
        for (NeuralNetConfiguration c : confs) {
            if (c.getLayer() instanceof BaseLayer b) {
                b.setIUpdater(u.clone());
                b.setBiasUpdater(u.clone());
            }
            c.setCacheMode(CacheMode.HOST); // else the conv forward is recomputed in backprop
        }
        conf.setTrainingWorkspaceMode(WorkspaceMode.ENABLED);
        conf.setInferenceWorkspaceMode(WorkspaceMode.ENABLED);
        conf.setCacheMode(CacheMode.HOST);
        return conf;
    }

    /**
     * The DL4J updater for an optimizer: sgd (momentum: DL4J's {@code Nesterovs}), adam, rmsprop,
     * adagrad, adadelta, with PyTorch's defaults where DL4J's differ.
     */
    static IUpdater updater(OptimizerSpec o) {
        switch (o.name()) {
            case "sgd":
                return o.momentum() == 0 ? new Sgd(o.lr()) : new Nesterovs(o.lr(), o.momentum());
            case "adam":
                return new Adam(o.lr(), 0.9, 0.999, 1e-8);
            case "rmsprop":
                return new RmsProp(o.lr(), 0.99, 1e-8);
            case "adagrad":
                return new AdaGrad(o.lr(), 1e-10);
            case "adadelta":
                return new AdaDelta(0.9, 1e-6);
            default:
                throw new IllegalArgumentException(
                        "optimizer '"
                                + o.name()
                                + "' has no DL4J updater; for DL4J networks use sgd, adam, rmsprop, adagrad or adadelta");
        }
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
