package org.kindling.nn;

import org.kindling.nn.functional.F;
import org.kindling.nn.functional.MaxPool2dOp;

/**
 * 2-D max pooling, like {@code torch.nn.MaxPool2d}: input [N, C, H, W], output [N, C, H_out,
 * W_out]. {@code stride} defaults to {@code kernel_size}; padding 0, dilation 1, ceil_mode false.
 * With {@link #returnIndices(boolean)} the layer keeps PyTorch's flat indices of the last forward
 * ({@link #lastIndices()}).
 */
public class MaxPool2d extends Module {
    private int[] kernel;
    private int[] stride;
    private int[] padding = {0, 0};
    private int[] dilation = {1, 1};
    private boolean ceilMode;
    private boolean returnIndices;
    private MaxPool2dOp.Result last;

    /** {@code MaxPool2d(kernel_size)}, stride = kernel_size. */
    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize);
    }

    /** {@code MaxPool2d(kernel_size, stride)}. */
    public MaxPool2d(int kernelSize, int stride) {
        this.kernel = new int[] {kernelSize, kernelSize};
        this.stride = new int[] {stride, stride};
        validate();
    }

    /** Rectangular kernel (kH, kW); stride defaults to the kernel. */
    public static MaxPool2d of(int kH, int kW) {
        return new MaxPool2d(1).kernel(kH, kW).stride(kH, kW);
    }

    private MaxPool2d kernel(int kH, int kW) {
        kernel = new int[] {kH, kW};
        return validate();
    }

    /** Stride (sH, sW). */
    public MaxPool2d stride(int sH, int sW) {
        stride = new int[] {sH, sW};
        return validate();
    }

    /** Implicit -inf padding on both sides; at most half the kernel. */
    public MaxPool2d padding(int p) {
        return padding(p, p);
    }

    /** Padding (pH, pW). */
    public MaxPool2d padding(int pH, int pW) {
        padding = new int[] {pH, pW};
        return validate();
    }

    /** Dilation of the window (default 1). */
    public MaxPool2d dilation(int d) {
        dilation = new int[] {d, d};
        return validate();
    }

    /** {@code ceil_mode}: round the output size up (PyTorch's last-window rule applies). */
    public MaxPool2d ceilMode(boolean flag) {
        ceilMode = flag;
        return this;
    }

    /** {@code return_indices}: keep the argmax indices of each forward. */
    public MaxPool2d returnIndices(boolean flag) {
        returnIndices = flag;
        return this;
    }

    /** The int64 indices of the last forward (needs {@code returnIndices(true)}). */
    public org.nd4j.linalg.api.ndarray.INDArray lastIndices() {
        if (!returnIndices || last == null) {
            throw new IllegalStateException(
                    "lastIndices() needs returnIndices(true) and a forward call first");
        }
        return last.indices();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (returnIndices) {
            last = F.maxPool2dWithIndices(x, kernel, stride, padding, dilation, ceilMode);
            return last.output();
        }
        return F.maxPool2d(x, kernel, stride, padding, dilation, ceilMode);
    }

    @Override
    public long[] outputShape(long[] in) {
        return MaxPool2dOp.pooledShape(describe(), in, kernel, stride, padding, dilation, ceilMode);
    }

    private MaxPool2d validate() {
        for (int i = 0; i < 2; i++) {
            require(kernel[i] >= 1, "kernel_size", kernel, ">= 1");
            require(stride[i] >= 1, "stride", stride, ">= 1");
            require(dilation[i] >= 1, "dilation", dilation, ">= 1");
            require(padding[i] >= 0, "padding", padding, ">= 0");
            if (2 * padding[i] > kernel[i]) {
                throw new IllegalArgumentException(
                        "MaxPool2d: padding should be at most half of kernel_size, but got padding="
                                + padding[i]
                                + ", kernel_size="
                                + kernel[i]);
            }
        }
        return this;
    }

    private static void require(boolean ok, String name, int[] value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(
                    "MaxPool2d: " + name + " must be " + expected + " but was: " + v(value));
        }
    }

    @Override
    protected com.google.gson.JsonObject config() {
        com.google.gson.JsonObject c = new com.google.gson.JsonObject();
        c.add("kernel_size", Module.pairJson(kernel));
        c.add("stride", Module.pairJson(stride));
        c.add("padding", Module.pairJson(padding));
        c.add("dilation", Module.pairJson(dilation));
        c.addProperty("ceil_mode", ceilMode);
        c.addProperty("return_indices", returnIndices);
        return c;
    }

    @Override
    protected String describe() {
        return String.format(
                "MaxPool2d(kernel_size=%s, stride=%s, padding=%s, dilation=%s, ceil_mode=%s)",
                v(kernel), v(stride), v(padding), v(dilation), ceilMode ? "True" : "False");
    }

    private static String v(int[] a) {
        return a[0] == a[1] ? String.valueOf(a[0]) : "(" + a[0] + ", " + a[1] + ")";
    }

    /** The spec encoding of {@code MaxPool2d} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<MaxPool2d> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("MaxPool2d", MaxPool2d.class);
        }

        @Override
        public MaxPool2d fromConfig(org.kindling.nn.io.SpecConfig c) {
            int[] k = c.pair("kernel_size");
            int[] s = c.pair("stride");
            int[] p = c.pair("padding");
            return MaxPool2d.of(k[0], k[1])
                    .stride(s[0], s[1])
                    .padding(p[0], p[1])
                    .dilation(c.pair("dilation")[0])
                    .ceilMode(c.bool("ceil_mode"))
                    .returnIndices(c.bool("return_indices"));
        }
    }
}
