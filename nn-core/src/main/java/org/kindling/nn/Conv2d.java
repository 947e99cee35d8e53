package org.kindling.nn;

import java.util.Arrays;
import org.kindling.nn.functional.F;
import org.kindling.nn.functional.PaddingMode;

/**
 * 2-D convolution layer, like {@code torch.nn.Conv2d}. Input [N, in_channels, H, W], output [N,
 * out_channels, H_out, W_out] with {@code H_out = floor((H + padTop + padBottom - dilation*(k-1) -
 * 1)/stride) + 1}. Weight [out_channels, in_channels/groups, kH, kW] and bias [out_channels], both
 * initialised from {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}.
 *
 * <p>Defaults as in PyTorch: stride 1, padding 0, dilation 1, groups 1, bias true, padding mode
 * zeros. Use {@link #options(int, int, int)} for anything beyond kernel, stride and padding.
 */
public class Conv2d extends Module {
    private final Options o;
    private final Parameter weight;
    private final Parameter bias;

    /** {@code Conv2d(in, out, kernel)} with stride 1 and no padding. */
    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(options(inChannels, outChannels, kernelSize));
    }

    /** {@code Conv2d(in, out, kernel, stride, padding)}. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(options(inChannels, outChannels, kernelSize).stride(stride).padding(padding));
    }

    /**
     * A layer with all options, e.g. {@code new Conv2d(Conv2d.options(3, 8, 3).padding("same"))}.
     */
    public Conv2d(Options options) {
        this.o = options.validated();
        long fanIn = (long) (o.inChannels / o.groups) * o.kernel[0] * o.kernel[1];
        double bound = 1 / Math.sqrt(fanIn);
        weight =
                registerParameter(
                        "weight",
                        Init.uniform(
                                bound,
                                o.outChannels,
                                o.inChannels / o.groups,
                                o.kernel[0],
                                o.kernel[1]));
        bias = o.bias ? registerParameter("bias", Init.uniform(bound, o.outChannels)) : null;
    }

    /** Starts the options of a convolution with PyTorch's defaults. */
    public static Options options(int inChannels, int outChannels, int kernelSize) {
        return new Options(inChannels, outChannels, new int[] {kernelSize, kernelSize});
    }

    /** Starts the options of a convolution with a rectangular (kH, kW) kernel. */
    public static Options options(int inChannels, int outChannels, int kH, int kW) {
        return new Options(inChannels, outChannels, new int[] {kH, kW});
    }

    /** The weight [out_channels, in_channels/groups, kH, kW]. */
    public Parameter weight() {
        return weight;
    }

    /** The bias [out_channels], or null when built with {@code bias(false)}. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x.shape());
        int[] pad = o.pads(x.shape());
        Tensor in = x;
        int[] symmetric = {pad[0], pad[2]};
        if (o.paddingMode != PaddingMode.ZEROS || pad[0] != pad[1] || pad[2] != pad[3]) {
            in = F.pad(x, pad[2], pad[3], pad[0], pad[1], o.paddingMode);
            symmetric = new int[] {0, 0};
        }
        return F.conv2d(
                in,
                weight.tensor(),
                bias == null ? null : bias.tensor(),
                o.stride,
                symmetric,
                o.dilation,
                o.groups);
    }

    @Override
    public long[] outputShape(long[] in) {
        checkInput(in);
        int[] pad = o.pads(in);
        long h =
                (in[2] + pad[0] + pad[1] - (long) o.dilation[0] * (o.kernel[0] - 1) - 1)
                                / o.stride[0]
                        + 1;
        long w =
                (in[3] + pad[2] + pad[3] - (long) o.dilation[1] * (o.kernel[1] - 1) - 1)
                                / o.stride[1]
                        + 1;
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException(
                    describe()
                            + " got input of shape "
                            + Arrays.toString(in)
                            + ", too small for its kernel");
        }
        return new long[] {in[0], o.outChannels, h, w};
    }

    private void checkInput(long[] in) {
        if (in.length != 4) {
            throw new IllegalArgumentException(
                    describe()
                            + " expects input [N, C, H, W] but got shape "
                            + Arrays.toString(in));
        }
        if (in[1] != o.inChannels) {
            throw new IllegalArgumentException(
                    String.format(
                            "Conv2d(in_channels=%d) got input with %d channel%s (shape %s); did you mean in_channels=%d?",
                            o.inChannels,
                            in[1],
                            in[1] == 1 ? "" : "s",
                            Arrays.toString(in),
                            in[1]));
        }
    }

    @Override
    protected com.google.gson.JsonObject config() {
        com.google.gson.JsonObject c = new com.google.gson.JsonObject();
        c.addProperty("in_channels", o.inChannels);
        c.addProperty("out_channels", o.outChannels);
        c.add("kernel_size", Module.pairJson(o.kernel));
        c.add("stride", Module.pairJson(o.stride));
        if (o.samePadding != null) {
            c.addProperty("padding", o.samePadding);
        } else {
            c.add("padding", Module.pairJson(o.padding));
        }
        c.add("dilation", Module.pairJson(o.dilation));
        c.addProperty("groups", o.groups);
        c.addProperty("bias", o.bias);
        c.addProperty("padding_mode", o.paddingMode.name().toLowerCase());
        return c;
    }

    @Override
    protected String describe() {
        StringBuilder sb =
                new StringBuilder("Conv2d(")
                        .append(o.inChannels)
                        .append(", ")
                        .append(o.outChannels)
                        .append(", kernel_size=")
                        .append(pair(o.kernel))
                        .append(", stride=")
                        .append(pair(o.stride));
        if (o.samePadding != null) {
            sb.append(", padding='").append(o.samePadding).append('\'');
        } else if (o.padding[0] != 0 || o.padding[1] != 0) {
            sb.append(", padding=").append(pair(o.padding));
        }
        if (o.dilation[0] != 1 || o.dilation[1] != 1)
            sb.append(", dilation=").append(pair(o.dilation));
        if (o.groups != 1) sb.append(", groups=").append(o.groups);
        if (!o.bias) sb.append(", bias=False");
        if (o.paddingMode != PaddingMode.ZEROS) {
            sb.append(", padding_mode=").append(o.paddingMode.name().toLowerCase());
        }
        return sb.append(')').toString();
    }

    private static String pair(int[] v) {
        return "(" + v[0] + ", " + v[1] + ")";
    }

    /** Options of {@link Conv2d}, with PyTorch's names and defaults. */
    public static final class Options {
        private final int inChannels;
        private final int outChannels;
        private final int[] kernel;
        private int[] stride = {1, 1};
        private int[] padding = {0, 0};
        private String samePadding;
        private int[] dilation = {1, 1};
        private int groups = 1;
        private boolean bias = true;
        private PaddingMode paddingMode = PaddingMode.ZEROS;

        private Options(int inChannels, int outChannels, int[] kernel) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernel = kernel;
        }

        /** Stride for both dimensions (default 1). */
        public Options stride(int s) {
            return stride(s, s);
        }

        /** Stride (sH, sW). */
        public Options stride(int sH, int sW) {
            stride = new int[] {sH, sW};
            return this;
        }

        /** Zero-based padding added on all four sides (default 0). */
        public Options padding(int p) {
            return padding(p, p);
        }

        /** Padding (pH on top and bottom, pW on left and right). */
        public Options padding(int pH, int pW) {
            padding = new int[] {pH, pW};
            samePadding = null;
            return this;
        }

        /**
         * {@code "valid"} (no padding) or {@code "same"} (output size = input size; stride 1 only).
         */
        public Options padding(String mode) {
            if ("valid".equals(mode)) {
                return padding(0);
            }
            if (!"same".equals(mode)) {
                throw new IllegalArgumentException(
                        "padding must be an int, a pair, 'valid' or 'same' but was: '"
                                + mode
                                + "'");
            }
            samePadding = mode;
            return this;
        }

        /** Dilation for both dimensions (default 1). */
        public Options dilation(int d) {
            return dilation(d, d);
        }

        /** Dilation (dH, dW). */
        public Options dilation(int dH, int dW) {
            dilation = new int[] {dH, dW};
            return this;
        }

        /** Number of groups (default 1); in_channels and out_channels must be divisible by it. */
        public Options groups(int g) {
            groups = g;
            return this;
        }

        /** Whether to add a learnable bias (default true). */
        public Options bias(boolean b) {
            bias = b;
            return this;
        }

        /** {@code padding_mode}: zeros (default), reflect, replicate or circular. */
        public Options paddingMode(String mode) {
            paddingMode = PaddingMode.parse(mode);
            return this;
        }

        /** Builds the layer. */
        public Conv2d build() {
            return new Conv2d(this);
        }

        /**
         * A validated copy: the layer keeps its own options, so changing {@code this} later (e.g.
         * reusing it for another layer) cannot change a layer already built.
         */
        Options validated() {
            Options c = new Options(inChannels, outChannels, kernel.clone());
            c.stride = stride.clone();
            c.padding = padding.clone();
            c.samePadding = samePadding;
            c.dilation = dilation.clone();
            c.groups = groups;
            c.bias = bias;
            c.paddingMode = paddingMode;
            return c.validate();
        }

        private Options validate() {
            require(inChannels > 0, "in_channels", inChannels, "> 0");
            require(outChannels > 0, "out_channels", outChannels, "> 0");
            require(groups > 0, "groups", groups, "> 0");
            require(
                    inChannels % groups == 0,
                    "groups",
                    groups,
                    "a divisor of in_channels=" + inChannels);
            require(
                    outChannels % groups == 0,
                    "groups",
                    groups,
                    "a divisor of out_channels=" + outChannels);
            for (int i = 0; i < 2; i++) {
                require(kernel[i] > 0, "kernel_size", kernel[i], "> 0");
                require(stride[i] > 0, "stride", stride[i], "> 0");
                require(padding[i] >= 0, "padding", padding[i], ">= 0");
                require(dilation[i] > 0, "dilation", dilation[i], "> 0");
            }
            if (samePadding != null && (stride[0] != 1 || stride[1] != 1)) {
                throw new IllegalArgumentException(
                        "padding='same' is not supported for strided convolutions, but stride was "
                                + pair(stride));
            }
            return this;
        }

        /** (top, bottom, left, right) padding for an input shape. */
        int[] pads(long[] inShape) {
            if (samePadding == null) {
                return new int[] {padding[0], padding[0], padding[1], padding[1]};
            }
            int th = dilation[0] * (kernel[0] - 1);
            int tw = dilation[1] * (kernel[1] - 1);
            return new int[] {th / 2, th - th / 2, tw / 2, tw - tw / 2};
        }

        private static void require(boolean ok, String name, int value, String expected) {
            if (!ok) {
                throw new IllegalArgumentException(
                        "Conv2d: " + name + " must be " + expected + " but was: " + value);
            }
        }
    }

    /** The spec encoding of {@code Conv2d} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<Conv2d> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("Conv2d", Conv2d.class);
        }

        @Override
        public Conv2d fromConfig(org.kindling.nn.io.SpecConfig c) {
            int[] k = c.pair("kernel_size");
            Options o = options(c.i("in_channels"), c.i("out_channels"), k[0], k[1]);
            int[] s = c.pair("stride");
            o.stride(s[0], s[1]);
            if (c.get("padding").isJsonPrimitive()
                    && c.get("padding").getAsJsonPrimitive().isString()) {
                o.padding(c.s("padding"));
            } else {
                int[] p = c.pair("padding");
                o.padding(p[0], p[1]);
            }
            int[] d = c.pair("dilation");
            return o.dilation(d[0], d[1])
                    .groups(c.i("groups"))
                    .bias(c.bool("bias"))
                    .paddingMode(c.s("padding_mode"))
                    .build();
        }
    }
}
