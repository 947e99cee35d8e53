package org.kindling.nn.functional;

import java.util.Arrays;
import org.kindling.nn.Tensor;
import org.kindling.nn.internal.Layout;
import org.kindling.nn.internal.OneDnn;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Functional operations on tensors, like {@code torch.nn.functional}. Every function records its
 * backward pass, so gradients flow through it on {@link Tensor#backward()}.
 *
 * <p>Layouts are PyTorch's: activations [N, C, H, W]; conv weight [out, in/groups, kH, kW]; linear
 * weight [out, in]. Pairs are (height, width).
 */
public final class F {
    private F() {}

    /**
     * 2-D cross-correlation {@code y = conv(x, w) + b}, like {@code F.conv2d}. Padding is with
     * zeros on both sides (use {@link #pad} first for other modes or asymmetric padding).
     *
     * @param x input [N, C_in, H, W]
     * @param weight [C_out, C_in/groups, kH, kW]
     * @param bias [C_out] or null
     * @param stride (sH, sW), each >= 1
     * @param padding (pH, pW), each >= 0, added on both sides
     * @param dilation (dH, dW), each >= 1
     * @param groups divides C_in and C_out
     * @return [N, C_out, H_out, W_out], H_out = floor((H + 2pH - dH(kH-1) - 1)/sH) + 1
     */
    public static Tensor conv2d(
            Tensor x,
            Tensor weight,
            Tensor bias,
            int[] stride,
            int[] padding,
            int[] dilation,
            int groups) {
        return Conv2dOp.apply(x, weight, bias, stride, padding, dilation, groups);
    }

    /** {@code F.conv2d} with stride 1, no padding, dilation 1, groups 1. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) {
        return conv2d(x, weight, bias, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1);
    }

    /**
     * Pads the last two dimensions, like {@code F.pad(x, (left, right, top, bottom), mode)}.
     *
     * @param mode zeros (constant 0), reflect, replicate or circular
     */
    public static Tensor pad(Tensor x, int left, int right, int top, int bottom, PaddingMode mode) {
        return PadOp.apply(x, left, right, top, bottom, mode);
    }

    /**
     * 2-D max pooling, like {@code F.max_pool2d} (see {@link MaxPool2dOp} for the exact rules:
     * implicit -inf padding, ceil mode with PyTorch's last-window rule, first maximum wins).
     */
    public static Tensor maxPool2d(
            Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return MaxPool2dOp.apply(x, kernel, stride, padding, dilation, ceilMode).output();
    }

    /** Max pooling that also returns PyTorch's flat indices (h * W + w into each input plane). */
    public static MaxPool2dOp.Result maxPool2dWithIndices(
            Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return MaxPool2dOp.applyWithIndices(x, kernel, stride, padding, dilation, ceilMode);
    }

    /**
     * 2-D average pooling, like {@code F.avg_pool2d(x, kernel, stride, padding, ceil_mode,
     * count_include_pad)}.
     */
    public static Tensor avgPool2d(
            Tensor x,
            int[] kernel,
            int[] stride,
            int[] padding,
            boolean ceilMode,
            boolean countIncludePad) {
        return PoolOps.avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    /** Adaptive average pooling to (outH, outW), like {@code F.adaptive_avg_pool2d}. */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        return PoolOps.adaptiveAvgPool2d(x, outH, outW);
    }

    /** Element-wise sum of two tensors of the same shape (a residual connection). */
    public static Tensor add(Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(
                    "add: shapes "
                            + java.util.Arrays.toString(a.shape())
                            + " and "
                            + java.util.Arrays.toString(b.shape())
                            + " differ");
        }
        return Tensor.derived(
                Layout.zip(a.data(), b.data(), INDArray::add), g -> new INDArray[] {g, g}, a, b);
    }

    /** Softmax over dimension 1 of [N, C]: {@code exp(x) / sum(exp(x))}. */
    public static Tensor softmax(Tensor x) {
        INDArray y = softmaxOf(x.data());
        return Tensor.derived(
                y, g -> new INDArray[] {y.mul(g.subColumnVector(g.mul(y).sum(true, 1)))}, x);
    }

    /** Log-softmax over dimension 1 of [N, C]: {@code x - log(sum(exp(x)))}. */
    public static Tensor logSoftmax(Tensor x) {
        INDArray in = x.data();
        INDArray max = in.max(true, 1);
        INDArray shifted = in.subColumnVector(max);
        INDArray lse = Transforms.log(Transforms.exp(shifted, true).sum(true, 1), false);
        INDArray y = shifted.subColumnVector(lse);
        return Tensor.derived(
                y,
                g ->
                        new INDArray[] {
                            g.sub(Transforms.exp(y, true).mulColumnVector(g.sum(true, 1)))
                        },
                x);
    }

    private static INDArray softmaxOf(INDArray in) {
        if (in.rank() != 2) {
            throw new IllegalArgumentException(
                    "softmax: expected [N, C] but got shape "
                            + java.util.Arrays.toString(in.shape()));
        }
        INDArray e = Transforms.exp(in.subColumnVector(in.max(true, 1)), false);
        return e.diviColumnVector(e.sum(true, 1));
    }

    /**
     * {@code max(x, 0)}; gradient {@code g * (y > 0)} (so the gradient at 0 is 0, as in PyTorch).
     */
    public static Tensor relu(Tensor x) {
        INDArray y = Layout.map(x.data(), a -> Transforms.relu(a, true));
        return Tensor.derived(
                y,
                g ->
                        new INDArray[] {
                            Layout.zip(g, y, (ga, ya) -> ga.mul(ya.gt(0).castTo(ga.dataType())))
                        },
                x);
    }

    /** {@code 1 / (1 + exp(-x))}; gradient {@code g * y * (1 - y)}. */
    public static Tensor sigmoid(Tensor x) {
        INDArray y = Layout.map(x.data(), a -> Transforms.sigmoid(a, true));
        return Tensor.derived(
                y,
                g -> new INDArray[] {Layout.zip(g, y, (ga, ya) -> ga.mul(ya).muli(ya.rsub(1)))},
                x);
    }

    /**
     * {@code y = x W^T + b}, like {@code F.linear}.
     *
     * @param x [N, in]
     * @param weight [out, in]
     * @param bias [out] or null
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        INDArray in = x.data();
        INDArray w = weight.data();
        if (in.rank() != 2 || in.size(1) != w.size(1)) {
            throw new IllegalArgumentException(
                    "linear: input of shape "
                            + Arrays.toString(in.shape())
                            + " does not fit weight of shape "
                            + Arrays.toString(w.shape())
                            + "; expected [N, "
                            + w.size(1)
                            + "]");
        }
        if (OneDnn.available(in, w, bias == null ? null : bias.data())) {
            return linearOneDnn(x, weight, bias);
        }
        INDArray y = in.mmul(w.transpose());
        if (bias != null) {
            y.addiRowVector(bias.data());
        }
        if (bias == null) {
            return Tensor.derived(
                    y, g -> new INDArray[] {g.mmul(w), g.transpose().mmul(in)}, x, weight);
        }
        return Tensor.derived(
                y,
                g -> new INDArray[] {g.mmul(w), g.transpose().mmul(in), g.sum(0)},
                x,
                weight,
                bias);
    }

    /**
     * {@link #linear} on oneDNN's inner product (float32 on the CPU): three kernel calls per step
     * instead of ND4J's matrix products, transposed views, row-vector add and column sum (0.9 ms of
     * the course net's step in profile 31).
     */
    private static Tensor linearOneDnn(Tensor x, Tensor weight, Tensor bias) {
        INDArray in = x.data();
        INDArray w = weight.data();
        INDArray b = bias == null ? null : bias.data();
        INDArray y = Nd4j.createUninitialized(in.dataType(), in.size(0), w.size(0));
        OneDnn.linearForward(in, w, b, y);
        Tensor.BackwardFn backward =
                g -> {
                    INDArray gx = Nd4j.createUninitialized(in.dataType(), in.shape());
                    OneDnn.linearBackwardData(g, w, gx, b != null);
                    INDArray gw = Nd4j.createUninitialized(w.dataType(), w.shape());
                    INDArray gb =
                            b == null ? null : Nd4j.createUninitialized(b.dataType(), b.shape());
                    OneDnn.linearWeightGradients(in, g, gw, gb);
                    return b == null ? new INDArray[] {gx, gw} : new INDArray[] {gx, gw, gb};
                };
        return b == null
                ? Tensor.derived(y, backward, x, weight)
                : Tensor.derived(y, backward, x, weight, bias);
    }

    /**
     * Flattens dimensions {@code startDim..endDim} (inclusive; negative counts from the end) in
     * row-major order, like {@code torch.flatten}.
     */
    public static Tensor flatten(Tensor x, int startDim, int endDim) {
        long[] s = x.shape();
        int r = s.length;
        int a = startDim < 0 ? r + startDim : startDim;
        int b = endDim < 0 ? r + endDim : endDim;
        if (a < 0 || b >= r || a > b) {
            throw new IllegalArgumentException(
                    "flatten: start_dim="
                            + startDim
                            + ", end_dim="
                            + endDim
                            + " do not fit a tensor of rank "
                            + r);
        }
        long[] out = new long[r - (b - a)];
        int k = 0;
        for (int i = 0; i < a; i++) out[k++] = s[i];
        long prod = 1;
        for (int i = a; i <= b; i++) prod *= s[i];
        out[k++] = prod;
        for (int i = b + 1; i < r; i++) out[k++] = s[i];
        INDArray y = x.data().dup('c').reshape('c', out);
        return Tensor.derived(y, g -> new INDArray[] {g.reshape('c', s)}, x);
    }

    static void exec(String op, INDArray[] in, INDArray[] out, int... iArgs) {
        exec(op, in, out, true, iArgs);
    }

    /**
     * Runs a libnd4j op; {@code helpers=false} keeps it off the platform (oneDNN) helper, for
     * configurations the helper gets wrong.
     */
    static void exec(String op, INDArray[] in, INDArray[] out, boolean helpers, int... iArgs) {
        DynamicCustomOp o =
                DynamicCustomOp.builder(op)
                        .addInputs(in)
                        .addOutputs(out)
                        .addIntegerArguments(iArgs)
                        .build();
        if (helpers) {
            Nd4j.exec(o);
            return;
        }
        try (OpContext ctx = Nd4j.getExecutioner().buildContext()) {
            ctx.setInputArrays(in);
            ctx.setOutputArrays(out);
            ctx.setIArguments(java.util.Arrays.stream(iArgs).asLongStream().toArray());
            ctx.allowHelpers(false);
            Nd4j.getExecutioner().exec(o, ctx);
        } catch (Exception e) {
            if (e instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e);
        }
    }
}
