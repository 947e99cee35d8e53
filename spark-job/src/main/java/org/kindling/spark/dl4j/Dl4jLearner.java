package org.kindling.spark.dl4j;

import java.util.Arrays;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.kindling.nn.training.Learner;
import org.kindling.nn.training.ModelDefinition;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** A DL4J {@link MultiLayerNetwork} as a {@link Learner}: one {@code fit} per mini-batch. */
public final class Dl4jLearner implements Learner {
    private final MultiLayerNetwork net;
    private final ModelDefinition definition;

    Dl4jLearner(MultiLayerNetwork net, ModelDefinition definition) {
        this.net = net;
        this.definition = definition;
        if (!"false".equalsIgnoreCase(System.getProperty("kindling.dl4j.oneDnnHelpers"))) {
            OneDnnHelpers.install(net);
        }
        long[] in = definition.inputShape();
        INDArray probe = Nd4j.zeros(DataType.FLOAT, 1, in[0], in[1], in[2]);
        INDArray out;
        try {
            out = net.output(probe, false);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    definition.name()
                            + ": the DL4J network does not accept input [N, "
                            + in[0]
                            + ", "
                            + in[1]
                            + ", "
                            + in[2]
                            + "] (NCHW): "
                            + e.getMessage(),
                    e);
        }
        if (out.size(1) != definition.numClasses()) {
            throw new IllegalArgumentException(
                    definition.name()
                            + ": the DL4J network outputs "
                            + out.size(1)
                            + " values but there are "
                            + definition.numClasses()
                            + " classes");
        }
        checkFastPath();
    }

    /** The network. */
    public MultiLayerNetwork network() {
        return net;
    }

    private void checkFastPath() {
        if (Boolean.getBoolean("kindling.allowSlowPath")
                || !"CPU"
                        .equalsIgnoreCase(
                                Nd4j.getExecutioner()
                                        .getEnvironmentInformation()
                                        .getProperty("backend"))) {
            return;
        }
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            boolean helperLayer = l instanceof ConvolutionLayer || l instanceof SubsamplingLayer;
            Object helper =
                    l instanceof ConvolutionLayer c
                            ? c.getHelper()
                            : l instanceof SubsamplingLayer s ? s.getHelper() : null;
            if (helperLayer && helper == null) {
                throw new IllegalStateException(
                        "DL4J layer "
                                + l.getIndex()
                                + " ("
                                + l.getClass().getSimpleName()
                                + ") got no oneDNN helper, so it would run DL4J's ~15x slower built-in path; "
                                + "check that org.eclipse.deeplearning4j.helpers.disable is not true and ND4J's oneDNN build is on the class path "
                                + "(-Dkindling.allowSlowPath=true to run anyway)");
            }
        }
    }

    @Override
    public long[] inputShape() {
        return definition.inputShape();
    }

    @Override
    public double step(INDArray x, INDArray labels) {
        INDArray idx = labels.reshape(labels.length()).castTo(DataType.INT);
        INDArray hot =
                Nd4j.getExecutioner()
                        .exec(new OneHot(idx, null, definition.numClasses(), -1, 1.0, 0.0))[0];
        INDArray target = hot.castTo(DataType.FLOAT);
        try {
            net.fit(new DataSet(x, target));
            return net.score();
        } finally {
            // the step's own label arrays are freed now rather than when a collection finds them
            // (as a Batch is); the caller's labels, and views of them, stay
            for (INDArray a : new INDArray[] {idx, hot, target}) {
                if (a != labels && a.closeable()) {
                    a.close();
                }
            }
        }
    }

    @Override
    public INDArray predict(INDArray x) {
        return net.output(x, false);
    }

    @Override
    public INDArray probabilities(INDArray x) {
        return predict(x); // the output layer is softmax
    }

    @Override
    public long countCorrect(INDArray x, INDArray labels) {
        INDArray predicted = Nd4j.argMax(predict(x), 1);
        return predicted
                .castTo(labels.dataType())
                .eq(labels.reshape(labels.length()))
                .castTo(DataType.INT)
                .sumNumber()
                .longValue();
    }

    @Override
    public float[] parameters() {
        return net.params().castTo(DataType.FLOAT).toFloatVector();
    }

    @Override
    public void setParameters(float[] flat) {
        INDArray p = net.params();
        if (flat.length != p.length()) {
            throw new IllegalArgumentException(
                    "expected " + p.length() + " DL4J parameter values but got " + flat.length);
        }
        p.assign(Nd4j.createFromArray(flat).castTo(p.dataType()));
    }

    private INDArray updaterState() {
        Updater u = net.getUpdater(true);
        return u == null ? null : u.getStateViewArray();
    }

    @Override
    public float[] optimizerState() {
        INDArray s = updaterState();
        return s == null ? new float[0] : s.castTo(DataType.FLOAT).toFloatVector();
    }

    @Override
    public void setOptimizerState(float[] flat) {
        INDArray s = updaterState();
        long n = s == null ? 0 : s.length();
        if (flat.length != n) {
            throw new IllegalArgumentException(
                    "expected " + n + " DL4J updater state values but got " + flat.length);
        }
        if (n > 0) {
            s.assign(Nd4j.createFromArray(flat).reshape(s.shape()).castTo(s.dataType()));
        }
    }

    /** Live views: DL4J's flat parameters and its updater state. */
    @Override
    public java.util.List<INDArray> flatSegments(boolean withState) {
        java.util.List<INDArray> out = new java.util.ArrayList<>();
        out.add(net.params());
        INDArray s = updaterState();
        if (withState && s != null && s.length() > 0) {
            out.add(s);
        }
        return out;
    }

    @Override
    public float[] buffers() {
        return new float[0];
    }

    @Override
    public void setBuffers(float[] flat) {
        if (flat.length != 0) {
            throw new IllegalArgumentException(
                    "DL4J networks keep no buffers outside their parameters, but got "
                            + flat.length
                            + " values");
        }
    }

    @Override
    public long numParameters() {
        return net.numParams();
    }

    @Override
    public void reseed(long seed) {
        Nd4j.getRandom().setSeed(seed); // DL4J's dropout draws from ND4J's per-thread generator
    }

    @Override
    public String toString() {
        return "DL4J " + definition.name() + " " + Arrays.toString(definition.inputShape());
    }
}
