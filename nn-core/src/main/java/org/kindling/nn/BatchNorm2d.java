package org.kindling.nn;

import static org.kindling.nn.functional.Broadcasts.add;
import static org.kindling.nn.functional.Broadcasts.mul;
import static org.kindling.nn.functional.Broadcasts.sub;
import static org.kindling.nn.functional.Broadcasts.sumPerChannel;

import java.util.Arrays;
import org.kindling.nn.internal.Layout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Batch normalisation over [N, C, H, W], like {@code torch.nn.BatchNorm2d(num_features)}: in
 * training mode {@code y = (x - mean) / sqrt(var + eps) * weight + bias} with the batch mean and
 * biased variance per channel, and the running statistics updated with {@code momentum}
 * (running_var from the unbiased variance); in eval mode the running statistics are used. Defaults:
 * eps 1e-5, momentum 0.1, affine (weight 1, bias 0), track_running_stats. Buffers: {@code
 * running_mean} (0), {@code running_var} (1), {@code num_batches_tracked} (0).
 */
public class BatchNorm2d extends Module {
    private final int features;
    private final double eps;
    private final double momentum;
    private final Parameter weight;
    private final Parameter bias;

    /** {@code BatchNorm2d(num_features)}. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1);
    }

    /** {@code BatchNorm2d(num_features, eps, momentum)}. */
    public BatchNorm2d(int numFeatures, double eps, double momentum) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException(
                    "BatchNorm2d: num_features must be >= 1 but was: " + numFeatures);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(
                    "BatchNorm2d: eps must be a finite number > 0 but was: " + eps);
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(
                    "BatchNorm2d: momentum must be in [0, 1] but was: " + momentum);
        }
        this.features = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        weight = registerParameter("weight", Nd4j.ones(DataType.FLOAT, numFeatures));
        bias = registerParameter("bias", Nd4j.zeros(DataType.FLOAT, numFeatures));
        registerBuffer("running_mean", Nd4j.zeros(DataType.FLOAT, numFeatures));
        registerBuffer("running_var", Nd4j.ones(DataType.FLOAT, numFeatures));
        registerBuffer("num_batches_tracked", Nd4j.scalar(DataType.LONG, 0L));
    }

    /** The scale (gamma) [C]. */
    public Parameter weight() {
        return weight;
    }

    /** The shift (beta) [C]. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        outputShape(x.shape());
        INDArray in = x.data();
        INDArray g = weight.data();
        if (!isTraining()) {
            INDArray invStd = Transforms.pow(buffer("running_var").add(eps), -0.5, false);
            INDArray scale = g.mul(invStd);
            INDArray y = add(mul(sub(in, buffer("running_mean")), scale), bias.data());
            return Tensor.derived(
                    y,
                    gy ->
                            new INDArray[] {
                                mul(gy, scale),
                                sumPerChannel(
                                        Layout.zip(
                                                gy,
                                                mul(sub(in, buffer("running_mean")), invStd),
                                                INDArray::mul)),
                                sumPerChannel(gy)
                            },
                    x,
                    weight.tensor(),
                    bias.tensor());
        }
        long m = in.length() / features;
        INDArray mean = sumPerChannel(in).divi(m);
        INDArray xc = sub(in, mean);
        INDArray var = sumPerChannel(Layout.zip(xc, xc, INDArray::mul)).divi(m);
        INDArray invStd = Transforms.pow(var.add(eps), -0.5, false);
        INDArray xhat = mul(xc, invStd);
        INDArray y = add(mul(xhat, g), bias.data());
        updateRunningStats(mean, var, m);
        return Tensor.derived(
                y,
                gy -> {
                    INDArray sumG = sumPerChannel(gy);
                    INDArray sumGx = sumPerChannel(Layout.zip(gy, xhat, INDArray::mul));
                    // dx = gamma * invstd / M * (M*g - sum(g) - xhat * sum(g*xhat))
                    INDArray dx =
                            Layout.zip(
                                    sub(Layout.map(gy, a -> a.mul(m)), sumG),
                                    mul(xhat, sumGx),
                                    INDArray::sub);
                    dx = mul(dx, g.mul(invStd).divi(m));
                    return new INDArray[] {dx, sumGx, sumG};
                },
                x,
                weight.tensor(),
                bias.tensor());
    }

    private void updateRunningStats(INDArray mean, INDArray var, long m) {
        INDArray rm = buffer("running_mean");
        INDArray rv = buffer("running_var");
        INDArray unbiased = m > 1 ? var.mul((double) m / (m - 1)) : var;
        rm.muli(1 - momentum).addi(mean.castTo(rm.dataType()).mul(momentum));
        rv.muli(1 - momentum).addi(unbiased.castTo(rv.dataType()).mul(momentum));
        INDArray n = buffer("num_batches_tracked");
        n.assign(n.getLong(0) + 1);
    }

    @Override
    public long[] outputShape(long[] in) {
        if (in.length != 4 || in[1] != features) {
            throw new IllegalArgumentException(
                    describe()
                            + " expects input [N, "
                            + features
                            + ", H, W] but got shape "
                            + Arrays.toString(in));
        }
        return in.clone();
    }

    @Override
    protected com.google.gson.JsonObject config() {
        com.google.gson.JsonObject c = new com.google.gson.JsonObject();
        c.addProperty("num_features", features);
        c.addProperty("eps", eps);
        c.addProperty("momentum", momentum);
        return c;
    }

    @Override
    protected String describe() {
        return "BatchNorm2d("
                + features
                + ", eps="
                + eps
                + ", momentum="
                + momentum
                + ", affine=True, track_running_stats=True)";
    }

    /** The spec encoding of {@code BatchNorm2d} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<BatchNorm2d> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("BatchNorm2d", BatchNorm2d.class);
        }

        @Override
        public BatchNorm2d fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new BatchNorm2d(c.i("num_features"), c.d("eps"), c.d("momentum"));
        }
    }
}
