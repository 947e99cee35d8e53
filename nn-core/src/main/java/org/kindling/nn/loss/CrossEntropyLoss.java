package org.kindling.nn.loss;

import java.util.Arrays;
import org.kindling.nn.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

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
    private INDArray weightRow; // weight as a [1, C] array, made on first use

    /** {@code CrossEntropyLoss()}. */
    public CrossEntropyLoss() {}

    /** Class weights [C] ({@code weight=}). */
    public CrossEntropyLoss weight(double... classWeights) {
        this.weight = classWeights.clone();
        this.weightRow = null;
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
        // Everything below is ND4J ops in double precision on [M, C] rows (one row per sample).
        INDArray logits = rows(z);
        int m = (int) logits.size(0);
        INDArray shifted = logits.subColumnVector(logits.max(1).reshape(m, 1));
        INDArray lse = Transforms.log(Transforms.exp(shifted, true).sum(1), false);
        INDArray lsm = shifted.subiColumnVector(lse.reshape(m, 1));
        INDArray w = weightRow(c);
        // q: the weighted target distribution of each sample (zero rows for ignored targets)
        INDArray q;
        double denominator;
        if (probabilities) {
            q = rows(target.castTo(z.dataType())).muli(1 - labelSmoothing).addi(labelSmoothing / c);
            if (w != null) q.muliRowVector(w);
            denominator = m;
        } else {
            INDArray labels = labels(target, shape, m, c);
            INDArray valid = labels.neq(ignoreIndex).castTo(DataType.DOUBLE).reshape(m, 1);
            INDArray safe = labels.reshape(m, 1).mul(valid); // ignored -> class 0, masked below
            INDArray classIds = Nd4j.zeros(DataType.DOUBLE, 1, c).addiRowVector(classes(c));
            INDArray oneHot =
                    Nd4j.zeros(DataType.DOUBLE, m, c)
                            .addiRowVector(classIds)
                            .subiColumnVector(safe)
                            .eq(0)
                            .castTo(DataType.DOUBLE);
            q = oneHot.mul(1 - labelSmoothing).addi(labelSmoothing / c);
            INDArray wy = w == null ? oneHot.sum(1) : oneHot.mulRowVector(w).sum(1);
            if (w != null) q.muliRowVector(w);
            q.muliColumnVector(valid);
            denominator = wy.reshape(m, 1).mul(valid).sumNumber().doubleValue();
        }
        INDArray perSample = q.mul(lsm).sum(1).negi(); // [M]
        final double denom = denominator;
        INDArray out;
        switch (reduction) {
            case NONE:
                long[] outShape = new long[shape.length - 1];
                outShape[0] = shape[0];
                System.arraycopy(shape, 2, outShape, 1, shape.length - 2);
                out = perSample.castTo(z.dataType()).reshape('c', outShape);
                break;
            case SUM:
                out = Nd4j.scalar(z.dataType(), perSample.sumNumber().doubleValue());
                break;
            default:
                out = Nd4j.scalar(z.dataType(), perSample.sumNumber().doubleValue() / denom);
        }
        return Tensor.derived(
                out,
                g -> {
                    // d loss_i / d z_ik = up_i * (sum_k q_ik * softmax_ik - q_ik)
                    INDArray grad =
                            Transforms.exp(lsm, true)
                                    .muliColumnVector(q.sum(1).reshape(m, 1))
                                    .subi(q);
                    if (reduction == Reduction.NONE) {
                        // g is [N, d1, ...]; the rows are ordered (n, d1, ...) too.
                        grad.muliColumnVector(g.castTo(DataType.DOUBLE).dup('c').reshape(m, 1));
                    } else {
                        // With every target ignored the mean is 0/0 = NaN, but PyTorch's gradient
                        // is 0.
                        double divisor = reduction == Reduction.MEAN ? denom : 1;
                        grad.muli(divisor == 0 ? 0 : g.getDouble(0) / divisor);
                    }
                    return new INDArray[] {fromRows(grad, shape, z)};
                },
                input);
    }

    /** The class weights as a [1, C] row, made once per loss; null without weights. */
    private INDArray weightRow(int c) {
        if (weight == null) return null;
        if (weightRow == null) {
            try (org.nd4j.linalg.api.memory.MemoryWorkspace ws =
                    Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                weightRow = Nd4j.createFromArray(weight).reshape(1, c);
            }
        }
        return weightRow;
    }

    /** [0, 1, ..., c-1] as a double [1, C] row, by a native op. */
    private static INDArray classes(int c) {
        return Nd4j.linspace(DataType.DOUBLE, 0.0, 1.0, c).reshape(1, c);
    }

    /**
     * The class-index targets as a double [M] vector, checked (in ND4J ops) to be integers in [0,
     * C) or {@code ignore_index}; the first bad one is named.
     */
    private INDArray labels(INDArray target, long[] shape, int m, int c) {
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
        INDArray v = target.castTo(DataType.DOUBLE).dup('c').reshape(m);
        INDArray notInteger =
                v.sub(Transforms.floor(v, true)).neq(0).castTo(DataType.DOUBLE); // NaN too
        if (notInteger.sumNumber().doubleValue() > 0) {
            long i = Nd4j.argMax(notInteger).getLong(0);
            throw new IllegalArgumentException(
                    "CrossEntropyLoss: target at position "
                            + i
                            + " is "
                            + v.getDouble(i)
                            + ", not a class index");
        }
        INDArray outOfRange =
                v.lt(0)
                        .castTo(DataType.DOUBLE)
                        .addi(v.gte(c).castTo(DataType.DOUBLE))
                        .muli(v.neq(ignoreIndex).castTo(DataType.DOUBLE));
        if (outOfRange.sumNumber().doubleValue() > 0) {
            long i = Nd4j.argMax(outOfRange).getLong(0);
            throw new IllegalArgumentException(
                    "CrossEntropyLoss: target "
                            + (long) v.getDouble(i)
                            + " at position "
                            + i
                            + " is out of range [0, "
                            + c
                            + ")");
        }
        return v;
    }

    /** [N, C, d...] as double [M, C] rows, one row per (n, d...) position, in row-major order. */
    private static INDArray rows(INDArray a) {
        long[] s = a.shape();
        if (s.length == 2) return a.castTo(DataType.DOUBLE).dup('c');
        int[] perm = new int[s.length];
        perm[0] = 0;
        for (int i = 2; i < s.length; i++) perm[i - 1] = i;
        perm[s.length - 1] = 1;
        long m = a.length() / s[1];
        return a.castTo(DataType.DOUBLE).permute(perm).dup('c').reshape('c', m, s[1]);
    }

    /** The inverse of {@link #rows}: [M, C] rows back to [N, C, d...] in {@code like}'s type. */
    private static INDArray fromRows(INDArray r, long[] s, INDArray like) {
        if (s.length == 2) return r.castTo(like.dataType());
        long[] nhwc = new long[s.length];
        nhwc[0] = s[0];
        System.arraycopy(s, 2, nhwc, 1, s.length - 2);
        nhwc[s.length - 1] = s[1];
        int[] perm = new int[s.length];
        perm[0] = 0;
        perm[1] = s.length - 1;
        for (int i = 2; i < s.length; i++) perm[i] = i - 1;
        return r.reshape('c', nhwc).permute(perm).castTo(like.dataType()).dup('c');
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
