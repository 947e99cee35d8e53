package org.kindling.nn.functional;

import java.util.Arrays;
import org.kindling.nn.Tensor;
import org.kindling.nn.internal.Layout;
import org.kindling.nn.internal.OneDnn;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Forward and backward of 2-D convolution with PyTorch's weight layout [out, in/groups, kH, kW].
 * Groups are computed one group at a time.
 *
 * <p>Ungrouped, undilated convolutions (the common case) compute in NHWC and return a channels-last
 * ({@link Layout}) view: oneDNN reads and writes NHWC directly, where NCHW costs a reorder of input
 * and output on every call (the course net's first convolution: 1.1 ms in NHWC against 3.5 ms
 * forward, 64 images). In float32 on the CPU they run on oneDNN 2.5.2 directly ({@link OneDnn}),
 * whose backward pass computes the input gradient only where the input needs one; otherwise (the
 * CUDA backend, float64), and for grouped or dilated convolutions, on libnd4j's {@code
 * conv2d}/{@code conv2d_bp} ops.
 */
final class Conv2dOp {
    private static final int NCHW = 0;
    private static final int NHWC = 1;
    private static final int WEIGHTS_OIHW = 1;
    private static final int WEIGHTS_HWIO = 0;

    private Conv2dOp() {}

    static Tensor apply(
            Tensor x, Tensor weight, Tensor bias, int[] s, int[] p, int[] d, int groups) {
        INDArray in = x.data();
        INDArray w = weight.data();
        check(in, w, bias == null ? null : bias.data(), s, p, d, groups);
        int[] iArgs = {
            (int) w.size(2),
            (int) w.size(3),
            s[0],
            s[1],
            p[0],
            p[1],
            d[0],
            d[1],
            0,
            NCHW,
            WEIGHTS_OIHW
        };
        // libnd4j's oneDNN conv2d helper fails on dilated float32 convolutions (1.0.0-M2.1).
        boolean helpers = d[0] == 1 && d[1] == 1;
        if (helpers && groups == 1) {
            return channelsLast(x, weight, bias, iArgs);
        }
        long outC = w.size(0);
        long gIn = w.size(1);
        long gOut = outC / groups;
        long hOut = (in.size(2) + 2L * p[0] - (long) d[0] * (w.size(2) - 1) - 1) / s[0] + 1;
        long wOut = (in.size(3) + 2L * p[1] - (long) d[1] * (w.size(3) - 1) - 1) / s[1] + 1;
        INDArray out =
                Nd4j.createUninitialized(
                        in.dataType(),
                        new long[] {in.size(0), outC, hOut, wOut}); // the op writes every element
        INDArray b = bias == null ? null : bias.data();
        for (int g = 0; g < groups; g++) {
            INDArray xg = channels(in, g * gIn, gIn);
            INDArray wg = groups == 1 ? c(w) : rows(w, g * gOut, gOut);
            INDArray bg = b == null ? null : (groups == 1 ? c(b) : rows(b, g * gOut, gOut));
            INDArray yg =
                    groups == 1
                            ? out
                            : Nd4j.createUninitialized(
                                    in.dataType(), new long[] {in.size(0), gOut, hOut, wOut});
            INDArray[] ins = bg == null ? new INDArray[] {xg, wg} : new INDArray[] {xg, wg, bg};
            F.exec("conv2d", ins, new INDArray[] {yg}, helpers, iArgs);
            if (groups > 1) {
                channelsView(out, g * gOut, gOut).assign(yg);
            }
        }
        Tensor.BackwardFn backward =
                gradOut -> {
                    INDArray gx = in.ulike();
                    INDArray gw = w.ulike();
                    INDArray gb = b == null ? null : b.ulike();
                    for (int g = 0; g < groups; g++) {
                        INDArray xg = channels(in, g * gIn, gIn);
                        INDArray wg = groups == 1 ? c(w) : rows(w, g * gOut, gOut);
                        INDArray bg =
                                b == null ? null : (groups == 1 ? c(b) : rows(b, g * gOut, gOut));
                        INDArray go = groups == 1 ? c(gradOut) : channels(gradOut, g * gOut, gOut);
                        boolean one = groups == 1;
                        INDArray gxg = one ? gx : xg.ulike();
                        INDArray gwg = one ? gw : wg.ulike();
                        INDArray gbg = bg == null ? null : one ? gb : bg.ulike();
                        INDArray[] ins =
                                bg == null
                                        ? new INDArray[] {xg, wg, go}
                                        : new INDArray[] {xg, wg, bg, go};
                        INDArray[] outs =
                                gbg == null
                                        ? new INDArray[] {gxg, gwg}
                                        : new INDArray[] {gxg, gwg, gbg};
                        F.exec("conv2d_bp", ins, outs, helpers, iArgs);
                        if (!one) {
                            channelsView(gx, g * gIn, gIn).assign(gxg);
                            rowsView(gw, g * gOut, gOut).assign(gwg);
                            if (gb != null) {
                                rowsView(gb, g * gOut, gOut).assign(gbg);
                            }
                        }
                    }
                    return gb == null ? new INDArray[] {gx, gw} : new INDArray[] {gx, gw, gb};
                };
        return bias == null
                ? Tensor.derived(out, backward, x, weight)
                : Tensor.derived(out, backward, x, weight, bias);
    }

    /**
     * The convolution in NHWC with PyTorch's weights [out, in, kH, kW] as they are (both oneDNN
     * routes reorder the weights to their kernels' layouts on every call, so an [out, kH, kW, in]
     * copy buys nothing; profile 27 in docs/PERFORMANCE.md); the output a channels-last view.
     */
    private static Tensor channelsLast(Tensor x, Tensor weight, Tensor bias, int[] nchwArgs) {
        int[] iArgs = nchwArgs.clone();
        iArgs[9] = NHWC;
        iArgs[10] = WEIGHTS_OIHW;
        INDArray in = Layout.nhwc(x.data());
        INDArray w = Layout.rowMajor(weight.data());
        INDArray b = bias == null ? null : Layout.rowMajor(bias.data());
        long hOut =
                (in.size(1) + 2L * iArgs[4] - (long) iArgs[6] * (iArgs[0] - 1) - 1) / iArgs[2] + 1;
        long wOut =
                (in.size(2) + 2L * iArgs[5] - (long) iArgs[7] * (iArgs[1] - 1) - 1) / iArgs[3] + 1;
        INDArray out =
                Nd4j.createUninitialized(
                        in.dataType(), new long[] {in.size(0), hOut, wOut, w.size(0)});
        int[] stride = {iArgs[2], iArgs[3]};
        int[] pad = {iArgs[4], iArgs[5]};
        boolean oneDnn = OneDnn.available(in, w, b);
        if (oneDnn) {
            OneDnn.convForward(in, w, b, stride, pad, out);
        } else {
            F.exec(
                    "conv2d",
                    b == null ? new INDArray[] {in, w} : new INDArray[] {in, w, b},
                    new INDArray[] {out},
                    iArgs);
        }
        boolean stride1 = iArgs[2] == 1 && iArgs[3] == 1;
        Tensor.BackwardFn backward =
                gradOut -> {
                    INDArray go = Layout.nhwc(gradOut);
                    if (oneDnn) {
                        INDArray gx = null;
                        if (x.requiresGrad()) {
                            gx = Nd4j.createUninitialized(in.dataType(), in.shape());
                            OneDnn.convBackwardData(go, w, stride, pad, gx, b != null);
                        }
                        INDArray gw = Nd4j.createUninitialized(w.dataType(), w.shape());
                        INDArray gb =
                                b == null
                                        ? null
                                        : Nd4j.createUninitialized(b.dataType(), b.shape());
                        OneDnn.convWeightGradients(in, go, stride, pad, gw, gb);
                        INDArray gxView = gx == null ? null : Layout.channelsLastView(gx);
                        return gb == null
                                ? new INDArray[] {gxView, gw}
                                : new INDArray[] {gxView, gw, gb};
                    }
                    if (!x.requiresGrad() && stride1) {
                        return weightGradients(in, go, b, iArgs);
                    }
                    INDArray gx = in.ulike();
                    INDArray gw = w.ulike();
                    INDArray gb = b == null ? null : b.ulike();
                    F.exec(
                            "conv2d_bp",
                            b == null ? new INDArray[] {in, w, go} : new INDArray[] {in, w, b, go},
                            gb == null ? new INDArray[] {gx, gw} : new INDArray[] {gx, gw, gb},
                            iArgs);
                    return gb == null
                            ? new INDArray[] {Layout.channelsLastView(gx), gw}
                            : new INDArray[] {Layout.channelsLastView(gx), gw, gb};
                };
        INDArray y = Layout.channelsLastView(out);
        return bias == null
                ? Tensor.derived(y, backward, x, weight)
                : Tensor.derived(y, backward, x, weight, bias);
    }

    /**
     * The weight and bias gradients of a stride-1 convolution whose input needs no gradient (the
     * network's first layer) where {@link OneDnn} does not apply (float64, the CUDA backend):
     * libnd4j's {@code conv2d_bp} always computes the input gradient too, which for 3 input
     * channels costs more than the rest (profile 11 in docs/PERFORMANCE.md). {@code gW[o, i, a, b]
     * = sum over n, h, w of gOut[n, h, w, o] * xPadded[n, h + a, w + b, i]} is itself a
     * convolution: of the input seen as [i, H, W, n] (batch = input channel, channels = examples)
     * with the output gradient as weights [H_out, W_out, n, o] and the same padding, which yields
     * [i, kH, kW, o].
     */
    private static INDArray[] weightGradients(INDArray in, INDArray go, INDArray b, int[] iArgs) {
        INDArray xT = in.permute(3, 1, 2, 0).dup('c');
        INDArray kernel = go.permute(1, 2, 0, 3).dup('c');
        int[] args = {
            (int) go.size(1),
            (int) go.size(2),
            1,
            1,
            iArgs[4],
            iArgs[5],
            1,
            1,
            0,
            NHWC,
            WEIGHTS_HWIO
        };
        INDArray gwT =
                Nd4j.createUninitialized(
                        in.dataType(), new long[] {in.size(3), iArgs[0], iArgs[1], go.size(3)});
        F.exec("conv2d", new INDArray[] {xT, kernel}, new INDArray[] {gwT}, args);
        INDArray gw = gwT.permute(3, 0, 1, 2);
        if (b == null) {
            return new INDArray[] {null, gw};
        }
        // per example, then over the batch: one pass over all positions loses float32 precision
        return new INDArray[] {null, gw, go.sum(1, 2).sum(0)};
    }

    private static void check(
            INDArray in, INDArray w, INDArray b, int[] s, int[] p, int[] d, int groups) {
        if (w.rank() != 4) {
            throw new IllegalArgumentException(
                    "conv2d: weight must be [out, in/groups, kH, kW] but has shape "
                            + Arrays.toString(w.shape()));
        }
        if (in.rank() != 4 || in.size(1) != w.size(1) * groups) {
            throw new IllegalArgumentException(
                    "conv2d: expected input [N, "
                            + w.size(1) * groups
                            + ", H, W] for weight "
                            + Arrays.toString(w.shape())
                            + " and groups="
                            + groups
                            + ", but got input of shape "
                            + Arrays.toString(in.shape()));
        }
        if (groups < 1 || w.size(0) % groups != 0) {
            throw new IllegalArgumentException(
                    "conv2d: groups="
                            + groups
                            + " must be >= 1 and divide out_channels="
                            + w.size(0));
        }
        if (b != null && (b.rank() != 1 || b.size(0) != w.size(0))) {
            throw new IllegalArgumentException(
                    "conv2d: bias must have shape ["
                            + w.size(0)
                            + "] but has "
                            + Arrays.toString(b.shape()));
        }
        for (int i = 0; i < 2; i++) {
            String dim = i == 0 ? "height" : "width";
            if (s[i] < 1 || d[i] < 1 || p[i] < 0) {
                throw new IllegalArgumentException(
                        "conv2d: stride and dilation must be >= 1 and padding >= 0, but "
                                + dim
                                + " has stride="
                                + s[i]
                                + ", padding="
                                + p[i]
                                + ", dilation="
                                + d[i]);
            }
            long size = in.size(2 + i) + 2L * p[i];
            long span = (long) d[i] * (w.size(2 + i) - 1) + 1;
            if (size < span) {
                throw new IllegalArgumentException(
                        "conv2d: input "
                                + dim
                                + " "
                                + in.size(2 + i)
                                + " plus padding 2*"
                                + p[i]
                                + " is smaller than the dilated kernel ("
                                + span
                                + "); input shape "
                                + Arrays.toString(in.shape()));
            }
        }
    }

    private static INDArray c(INDArray a) {
        return Layout.rowMajor(a);
    }

    private static INDArray channels(INDArray a, long from, long n) {
        if (from == 0 && n == a.size(1)) {
            return c(a);
        }
        return channelsView(a, from, n).dup('c');
    }

    private static INDArray channelsView(INDArray a, long from, long n) {
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        Arrays.fill(idx, NDArrayIndex.all());
        idx[1] = NDArrayIndex.interval(from, from + n);
        return a.get(idx);
    }

    private static INDArray rows(INDArray a, long from, long n) {
        return rowsView(a, from, n).dup('c');
    }

    private static INDArray rowsView(INDArray a, long from, long n) {
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        Arrays.fill(idx, NDArrayIndex.all());
        idx[0] = NDArrayIndex.interval(from, from + n);
        return a.get(idx);
    }
}
