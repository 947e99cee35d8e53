package org.kindling.nn.functional;

import java.util.Arrays;
import org.kindling.nn.Tensor;
import org.kindling.nn.internal.Finite;
import org.kindling.nn.internal.Layout;
import org.kindling.nn.internal.OneDnn;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.Pad;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * 2-D max pooling with PyTorch 1.13's exact rules.
 *
 * <ul>
 *   <li>Output size {@code floor((H + 2p - d(k-1) - 1)/s) + 1}, or with ceil mode the ceiling, and
 *       then one less if the last window would start at or beyond {@code H + p}.
 *   <li>Padding is implicit -inf: only in-range cells are candidates.
 *   <li>The first maximum in row-major window order wins; a NaN is always taken.
 *   <li>Indices are flat {@code h * W + w} into each unpadded input plane.
 * </ul>
 *
 * Float32 inputs run oneDNN's max pooling (on the CPU; libnd4j's {@code maxpool2d} op on CUDA) in
 * the common case (no ceil mode, dilation 1, no NaN), else libnd4j's op on an explicitly padded
 * input ({@code explicit2d}). Requested indices and other data types run the reference loop here.
 */
public final class MaxPool2dOp {
    private MaxPool2dOp() {}

    /** Pooled values and PyTorch's flat argmax indices (int64). */
    public record Result(Tensor output, INDArray indices) {}

    /** Output length along one axis, PyTorch's {@code pooling_output_shape}. */
    public static long outputSize(long in, int k, int s, int p, int d, boolean ceil) {
        long num = in + 2L * p - (long) d * (k - 1) - 1 + (ceil ? s - 1 : 0);
        long out = Math.floorDiv(num, s) + 1;
        if (ceil && (out - 1) * s >= in + p) {
            out--;
        }
        return out;
    }

    /**
     * The output shape [N, C, H_out, W_out] of a pooling layer for input {@code in}, shared by max
     * and average pooling.
     *
     * @param layer the layer's description, for the error messages
     * @throws IllegalArgumentException if the input is not [N, C, H, W] or smaller than the window
     */
    public static long[] pooledShape(
            String layer, long[] in, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        if (in.length != 4) {
            throw new IllegalArgumentException(
                    layer + " expects input [N, C, H, W] but got shape " + Arrays.toString(in));
        }
        long h = outputSize(in[2], k[0], s[0], p[0], d[0], ceil);
        long w = outputSize(in[3], k[1], s[1], p[1], d[1], ceil);
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException(
                    layer
                            + " got input of shape "
                            + Arrays.toString(in)
                            + ", smaller than its window");
        }
        return new long[] {in[0], in[1], h, w};
    }

    static Result apply(Tensor x, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        check(x.data(), k, s, p, d, ceil);
        DataType type = x.data().dataType();
        if (type != DataType.FLOAT || !Finite.bySum(x.data())) {
            // double (gradient checks), and NaN or infinities: libnd4j's op passes over a NaN that
            // PyTorch propagates, and pools a window of -inf as -3.4e38
            return applyWithIndices(x, k, s, p, d, ceil);
        }
        if (!ceil && d[0] == 1 && d[1] == 1) {
            return new Result(native2d(x, k, s, p), null);
        }
        return new Result(explicit2d(x, k, s, p, d, ceil), null);
    }

    /**
     * Ceil mode and dilation in native ops: the implicit padding (and the extra rows and columns a
     * ceil-mode window may reach) become explicit -inf cells, so libnd4j's {@code maxpool2d} runs
     * without padding. Every window holds at least one (finite) input.
     */
    private static Tensor explicit2d(Tensor x, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        INDArray in = Layout.rowMajor(x.data());
        long h = in.size(2), w = in.size(3);
        long ho = outputSize(h, k[0], s[0], p[0], d[0], ceil);
        long wo = outputSize(w, k[1], s[1], p[1], d[1], ceil);
        int extraH =
                (int) Math.max(0, (ho - 1) * s[0] + (long) d[0] * (k[0] - 1) + 1 - (h + 2L * p[0]));
        int extraW =
                (int) Math.max(0, (wo - 1) * s[1] + (long) d[1] * (k[1] - 1) + 1 - (w + 2L * p[1]));
        INDArray paddings =
                Nd4j.createFromArray(
                        new int[][] {{0, 0}, {0, 0}, {p[0], p[0] + extraH}, {p[1], p[1] + extraW}});
        INDArray padded =
                Nd4j.exec(
                        new Pad(
                                in,
                                paddings,
                                org.nd4j.enums.PadMode.CONSTANT,
                                Double.NEGATIVE_INFINITY))[0];
        INDArray out =
                Nd4j.createUninitialized(
                        in.dataType(), new long[] {in.size(0), in.size(1), ho, wo});
        int[] iArgs = {k[0], k[1], s[0], s[1], 0, 0, d[0], d[1], 0, 0, 0};
        // oneDNN's pooling gets dilation wrong (garbage values); libnd4j's own kernel does not
        boolean helpers = d[0] == 1 && d[1] == 1;
        F.exec("maxpool2d", new INDArray[] {padded}, new INDArray[] {out}, helpers, iArgs);
        long top = p[0], left = p[1];
        return Tensor.derived(
                out,
                g -> {
                    INDArray gp = padded.ulike();
                    INDArray go = Layout.rowMajor(g);
                    F.exec(
                            "maxpool2d_bp",
                            new INDArray[] {padded, go},
                            new INDArray[] {gp},
                            helpers,
                            iArgs);
                    return new INDArray[] {
                        gp.get(
                                        NDArrayIndex.all(),
                                        NDArrayIndex.all(),
                                        NDArrayIndex.interval(top, top + h),
                                        NDArrayIndex.interval(left, left + w))
                                .dup('c')
                    };
                },
                x);
    }

    /**
     * The reference loop, with PyTorch's flat argmax indices: for {@code return_indices}, for
     * non-float32 inputs (double-precision gradient checks) and for inputs holding NaN or
     * infinities; a float32 training step on finite activations never takes it.
     */
    static Result applyWithIndices(Tensor x, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        INDArray in = x.data();
        check(in, k, s, p, d, ceil);
        int n = (int) in.size(0), c = (int) in.size(1), h = (int) in.size(2), w = (int) in.size(3);
        int ho = (int) outputSize(h, k[0], s[0], p[0], d[0], ceil);
        int wo = (int) outputSize(w, k[1], s[1], p[1], d[1], ceil);
        double[] src = in.dup('c').data().asDouble();
        double[] dst = new double[n * c * ho * wo];
        long[] idx = new long[dst.length];
        for (int pl = 0; pl < n * c; pl++) {
            int base = pl * h * w;
            for (int oh = 0; oh < ho; oh++) {
                for (int ow = 0; ow < wo; ow++) {
                    int hs = oh * s[0] - p[0];
                    int ws = ow * s[1] - p[1];
                    int h0 = hs;
                    while (h0 < 0) h0 += d[0];
                    int w0 = ws;
                    while (w0 < 0) w0 += d[1];
                    double best = Double.NEGATIVE_INFINITY;
                    long arg = (long) h0 * w + w0;
                    for (int i = 0; i < k[0]; i++) {
                        int ih = hs + i * d[0];
                        if (ih < 0 || ih >= h) continue;
                        for (int j = 0; j < k[1]; j++) {
                            int iw = ws + j * d[1];
                            if (iw < 0 || iw >= w) continue;
                            double v = src[base + ih * w + iw];
                            if (v > best || Double.isNaN(v)) {
                                best = v;
                                arg = (long) ih * w + iw;
                            }
                        }
                    }
                    int o = (pl * ho + oh) * wo + ow;
                    dst[o] = best;
                    idx[o] = arg;
                }
            }
        }
        long[] outShape = {n, c, ho, wo};
        INDArray out = Nd4j.create(dst, outShape, in.dataType());
        INDArray indices = Nd4j.createFromArray(idx).reshape('c', outShape);
        Tensor t =
                Tensor.derived(
                        out,
                        g -> {
                            double[] gs = g.dup('c').data().asDouble();
                            double[] gi = new double[src.length];
                            for (int o = 0; o < gs.length; o++) {
                                int pl = o / (ho * wo);
                                gi[pl * h * w + (int) idx[o]] += gs[o];
                            }
                            return new INDArray[] {Nd4j.create(gi, in.shape(), in.dataType())};
                        },
                        x);
        return new Result(t, indices);
    }

    /**
     * The common case: in NHWC on a channels-last ({@link Layout}) input (a convolution's output),
     * returning a channels-last view, else in NCHW. On oneDNN 2.5.2 directly ({@link OneDnn}) for
     * float32 on the CPU, keeping the maxima's positions for the backward pass; else libnd4j's op.
     */
    private static Tensor native2d(Tensor x, int[] k, int[] s, int[] p) {
        boolean nhwc = Layout.isChannelsLast(x.data());
        INDArray in = nhwc ? Layout.nhwc(x.data()) : Layout.rowMajor(x.data());
        long ho = outputSize(x.data().size(2), k[0], s[0], p[0], 1, false);
        long wo = outputSize(x.data().size(3), k[1], s[1], p[1], 1, false);
        long n = x.data().size(0), c = x.data().size(1);
        INDArray out =
                Nd4j.createUninitialized(
                        in.dataType(),
                        nhwc ? new long[] {n, ho, wo, c} : new long[] {n, c, ho, wo});
        if (OneDnn.available(in)) {
            // the maxima's positions are kept for the backward pass, which libnd4j's maxpool2d_bp
            // finds by running the forward pass again
            INDArray ws =
                    x.requiresGrad()
                            ? OneDnn.maxPoolWorkspace(in.shape(), out.shape(), nhwc, k, s, p)
                            : null;
            OneDnn.maxPoolForward(in, nhwc, k, s, p, out, ws);
            if (ws == null) {
                return Tensor.of(nhwc ? Layout.channelsLastView(out) : out);
            }
            return Tensor.derived(
                    nhwc ? Layout.channelsLastView(out) : out,
                    g -> {
                        INDArray gi = Nd4j.createUninitialized(in.dataType(), in.shape());
                        INDArray go = nhwc ? Layout.nhwc(g) : Layout.rowMajor(g);
                        OneDnn.maxPoolBackward(go, ws, nhwc, k, s, p, gi);
                        return new INDArray[] {nhwc ? Layout.channelsLastView(gi) : gi};
                    },
                    x);
        }
        int[] iArgs = {k[0], k[1], s[0], s[1], p[0], p[1], 1, 1, 0, 0, nhwc ? 1 : 0};
        F.exec("maxpool2d", new INDArray[] {in}, new INDArray[] {out}, iArgs);
        return Tensor.derived(
                nhwc ? Layout.channelsLastView(out) : out,
                g -> {
                    INDArray gi = in.ulike();
                    INDArray go = nhwc ? Layout.nhwc(g) : Layout.rowMajor(g);
                    F.exec("maxpool2d_bp", new INDArray[] {in, go}, new INDArray[] {gi}, iArgs);
                    return new INDArray[] {nhwc ? Layout.channelsLastView(gi) : gi};
                },
                x);
    }

    private static void check(INDArray in, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        if (in.rank() != 4) {
            throw new IllegalArgumentException(
                    "max_pool2d: expected input [N, C, H, W] but got shape "
                            + Arrays.toString(in.shape()));
        }
        for (int i = 0; i < 2; i++) {
            String dim = i == 0 ? "height" : "width";
            if (k[i] < 1 || s[i] < 1 || d[i] < 1) {
                throw new IllegalArgumentException(
                        "max_pool2d: kernel_size, stride and dilation must be >= 1, but "
                                + dim
                                + " has kernel_size="
                                + k[i]
                                + ", stride="
                                + s[i]
                                + ", dilation="
                                + d[i]);
            }
            if (p[i] < 0 || 2 * p[i] > k[i]) {
                throw new IllegalArgumentException(
                        "max_pool2d: padding should be >= 0 and at most half of kernel_size, but "
                                + dim
                                + " has padding="
                                + p[i]
                                + ", kernel_size="
                                + k[i]);
            }
            if (outputSize(in.size(2 + i), k[i], s[i], p[i], d[i], ceil) < 1) {
                throw new IllegalArgumentException(
                        "max_pool2d: input "
                                + dim
                                + " "
                                + in.size(2 + i)
                                + " is too small for kernel_size="
                                + k[i]
                                + ", padding="
                                + p[i]
                                + ", dilation="
                                + d[i]
                                + "; input shape "
                                + Arrays.toString(in.shape()));
            }
        }
    }
}
