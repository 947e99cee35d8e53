package org.kindling.nn.loss;

import java.util.Arrays;
import org.kindling.nn.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code log_softmax} over the class dimension followed by the negative log-likelihood, like {@code
 * nn.CrossEntropyLoss}. Input: logits [N, C] or [N, C, d1, ...] (the class is dim 1, every other
 * position is a sample). Target: class indices [N] / [N, d1, ...] (integer values in any data
 * type), or class probabilities of the input's shape.
 *
 * <p>Defaults as in PyTorch: no class weights, {@code ignore_index = -100}, reduction mean, label
 * smoothing 0. With reduction mean the sum is divided by the sum of the weights of the non-ignored
 * targets (by N for probability targets); if every target is ignored the loss is NaN and the
 * gradient zero.
 */
public class CrossEntropyLoss implements Loss {
    private double[] weight;
    private long ignoreIndex = -100;
    private Reduction reduction = Reduction.MEAN;
    private double labelSmoothing;

    /** {@code CrossEntropyLoss()}. */
    public CrossEntropyLoss() {}

    /** Class weights [C] ({@code weight=}). */
    public CrossEntropyLoss weight(double... classWeights) {
        this.weight = classWeights.clone();
        return this;
    }

    /** {@code ignore_index} (default -100); may be a real class. */
    public CrossEntropyLoss ignoreIndex(long index) {
        this.ignoreIndex = index;
        return this;
    }

    /** {@code reduction}: none, mean (default) or sum. */
    public CrossEntropyLoss reduction(Reduction r) {
        this.reduction = r;
        return this;
    }

    /** {@code label_smoothing} in [0, 1] (default 0). */
    public CrossEntropyLoss labelSmoothing(double eps) {
        if (!(eps >= 0 && eps <= 1)) {
            throw new IllegalArgumentException("label_smoothing must be in [0, 1] but was: " + eps);
        }
        this.labelSmoothing = eps;
        return this;
    }

    @Override
    public Tensor forward(Tensor input, INDArray target) {
        INDArray z = input.data();
        long[] shape = z.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException(
                    "CrossEntropyLoss: input must be [N, C] or [N, C, ...] but has shape "
                            + Arrays.toString(shape));
        }
        int c = (int) shape[1];
        if (weight != null && weight.length != c) {
            throw new IllegalArgumentException(
                    "CrossEntropyLoss: weight has "
                            + weight.length
                            + " entries but the input has "
                            + c
                            + " classes");
        }
        boolean probabilities = Arrays.equals(target.shape(), shape);
        double[][] logits = rows(z);
        int m = logits.length;
        double[][] lsm = new double[m][c];
        for (int i = 0; i < m; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logits[i]) max = Math.max(max, v);
            double s = 0;
            for (double v : logits[i]) s += Math.exp(v - max);
            double lse = max + Math.log(s);
            for (int k = 0; k < c; k++) lsm[i][k] = logits[i][k] - lse;
        }
        // Per sample: target distribution q_i over classes, its weight scale, and whether it
        // counts.
        double[][] q = new double[m][];
        double[] perSample = new double[m];
        double denominator = 0;
        if (probabilities) {
            double[][] t = rows(target.castTo(z.dataType()));
            for (int i = 0; i < m; i++) {
                q[i] = new double[c];
                for (int k = 0; k < c; k++) {
                    double tk = t[i][k] * (1 - labelSmoothing) + labelSmoothing / c;
                    q[i][k] = tk * w(k);
                    perSample[i] -= q[i][k] * lsm[i][k];
                }
            }
            denominator = m;
        } else {
            long[] labels = labels(target, shape, m);
            for (int i = 0; i < m; i++) {
                q[i] = new double[c];
                long y = labels[i];
                if (y == ignoreIndex) {
                    continue;
                }
                if (y < 0 || y >= c) {
                    throw new IllegalArgumentException(
                            "CrossEntropyLoss: target "
                                    + y
                                    + " at position "
                                    + i
                                    + " is out of range [0, "
                                    + c
                                    + ")");
                }
                double wy = w((int) y);
                q[i][(int) y] += (1 - labelSmoothing) * wy;
                for (int k = 0; k < c; k++) {
                    q[i][k] += labelSmoothing / c * w(k);
                }
                for (int k = 0; k < c; k++) {
                    perSample[i] -= q[i][k] * lsm[i][k];
                }
                denominator += wy;
            }
        }
        final double denom = denominator;
        INDArray out;
        switch (reduction) {
            case NONE:
                long[] outShape = new long[shape.length - 1];
                outShape[0] = shape[0];
                System.arraycopy(shape, 2, outShape, 1, shape.length - 2);
                out = vector(perSample, z).reshape('c', outShape);
                break;
            case SUM:
                out = Nd4j.scalar(z.dataType(), Arrays.stream(perSample).sum());
                break;
            default:
                out = Nd4j.scalar(z.dataType(), Arrays.stream(perSample).sum() / denom);
        }
        return Tensor.derived(
                out,
                g -> {
                    double[] up;
                    if (reduction == Reduction.NONE) {
                        // g is [N, d1, ...]; the rows are ordered (n, d1, ...) too.
                        up = g.dup('c').data().asDouble();
                    } else {
                        // With every target ignored the mean is 0/0 = NaN, but PyTorch's gradient
                        // is 0.
                        double divisor = reduction == Reduction.MEAN ? denom : 1;
                        up = new double[m];
                        Arrays.fill(up, divisor == 0 ? 0 : g.getDouble(0) / divisor);
                    }
                    double[][] grad = new double[m][c];
                    for (int i = 0; i < m; i++) {
                        double qs = 0;
                        for (int k = 0; k < c; k++) qs += q[i][k];
                        for (int k = 0; k < c; k++) {
                            grad[i][k] = up[i] * (qs * Math.exp(lsm[i][k]) - q[i][k]);
                        }
                    }
                    return new INDArray[] {fromRows(grad, shape, z)};
                },
                input);
    }

    private double w(int k) {
        return weight == null ? 1 : weight[k];
    }

    private static long[] labels(INDArray target, long[] shape, int m) {
        long[] expected = new long[shape.length - 1];
        expected[0] = shape[0];
        System.arraycopy(shape, 2, expected, 1, shape.length - 2);
        if (!Arrays.equals(target.shape(), expected)) {
            throw new IllegalArgumentException(
                    "CrossEntropyLoss: for input of shape "
                            + Arrays.toString(shape)
                            + " the target must be class indices of shape "
                            + Arrays.toString(expected)
                            + " or probabilities of the input's shape, but has shape "
                            + Arrays.toString(target.shape()));
        }
        double[] v = target.dup('c').data().asDouble();
        long[] out = new long[m];
        for (int i = 0; i < m; i++) {
            out[i] = (long) v[i];
            if (out[i] != v[i]) {
                throw new IllegalArgumentException(
                        "CrossEntropyLoss: target at position "
                                + i
                                + " is "
                                + v[i]
                                + ", not a class index");
            }
        }
        return out;
    }

    /** [N, C, d...] as rows of C values, one row per (n, d...) position, in row-major order. */
    private static double[][] rows(INDArray a) {
        long[] s = a.shape();
        int n = (int) s[0], c = (int) s[1];
        int inner = 1;
        for (int i = 2; i < s.length; i++) inner *= (int) s[i];
        double[] v = a.dup('c').data().asDouble();
        double[][] r = new double[n * inner][c];
        for (int b = 0; b < n; b++)
            for (int k = 0; k < c; k++)
                for (int p = 0; p < inner; p++) r[b * inner + p][k] = v[(b * c + k) * inner + p];
        return r;
    }

    private static INDArray fromRows(double[][] r, long[] s, INDArray like) {
        int n = (int) s[0], c = (int) s[1];
        int inner = r.length / n;
        double[] v = new double[r.length * c];
        for (int b = 0; b < n; b++)
            for (int k = 0; k < c; k++)
                for (int p = 0; p < inner; p++) v[(b * c + k) * inner + p] = r[b * inner + p][k];
        return Nd4j.create(v, s, like.dataType());
    }

    private static INDArray vector(double[] v, INDArray like) {
        return Nd4j.create(v, new long[] {v.length}, like.dataType());
    }

    @Override
    public String toString() {
        return "CrossEntropyLoss(reduction="
                + reduction.name().toLowerCase()
                + ", ignore_index="
                + ignoreIndex
                + ", label_smoothing="
                + labelSmoothing
                + ")";
    }
}
