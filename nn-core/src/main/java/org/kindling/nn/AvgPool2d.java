package org.kindling.nn;

import org.kindling.nn.functional.F;
import org.kindling.nn.functional.MaxPool2dOp;

/**
 * 2-D average pooling, like {@code torch.nn.AvgPool2d(kernel_size)}: stride defaults to the kernel,
 * padding 0, ceil_mode false, count_include_pad true.
 */
public class AvgPool2d extends Module {
    private final int[] kernel;
    private int[] stride;
    private int[] padding = {0, 0};
    private boolean ceilMode;
    private boolean countIncludePad = true;

    /** {@code AvgPool2d(kernel_size)}. */
    public AvgPool2d(int kernelSize) {
        require(kernelSize >= 1, "kernel_size", kernelSize, ">= 1");
        kernel = new int[] {kernelSize, kernelSize};
        stride = kernel.clone();
    }

    /** Stride (default: kernel_size), >= 1. */
    public AvgPool2d stride(int s) {
        require(s >= 1, "stride", s, ">= 1");
        stride = new int[] {s, s};
        return this;
    }

    /** Zero padding on both sides, at most half the kernel. */
    public AvgPool2d padding(int p) {
        require(p >= 0, "padding", p, ">= 0");
        if (2 * p > kernel[0]) {
            throw new IllegalArgumentException(
                    "AvgPool2d: padding should be at most half of kernel_size, but got padding="
                            + p
                            + ", kernel_size="
                            + kernel[0]);
        }
        padding = new int[] {p, p};
        return this;
    }

    /** {@code ceil_mode}. */
    public AvgPool2d ceilMode(boolean flag) {
        ceilMode = flag;
        return this;
    }

    /** {@code count_include_pad}: divide by the window including padding (default true). */
    public AvgPool2d countIncludePad(boolean flag) {
        countIncludePad = flag;
        return this;
    }

    @Override
    public Tensor forward(Tensor x) {
        outputShape(x.shape());
        return F.avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    public long[] outputShape(long[] in) {
        return MaxPool2dOp.pooledShape(
                describe(), in, kernel, stride, padding, new int[] {1, 1}, ceilMode);
    }

    @Override
    protected com.google.gson.JsonObject config() {
        com.google.gson.JsonObject c = new com.google.gson.JsonObject();
        c.addProperty("kernel_size", kernel[0]);
        c.addProperty("stride", stride[0]);
        c.addProperty("padding", padding[0]);
        c.addProperty("ceil_mode", ceilMode);
        c.addProperty("count_include_pad", countIncludePad);
        return c;
    }

    @Override
    protected String describe() {
        return "AvgPool2d(kernel_size="
                + kernel[0]
                + ", stride="
                + stride[0]
                + ", padding="
                + padding[0]
                + ")";
    }

    private static void require(boolean ok, String name, int value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(
                    "AvgPool2d: " + name + " must be " + expected + " but was: " + value);
        }
    }

    /** The spec encoding of {@code AvgPool2d} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<AvgPool2d> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("AvgPool2d", AvgPool2d.class);
        }

        @Override
        public AvgPool2d fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new AvgPool2d(c.i("kernel_size"))
                    .stride(c.i("stride"))
                    .padding(c.i("padding"))
                    .ceilMode(c.bool("ceil_mode"))
                    .countIncludePad(c.bool("count_include_pad"));
        }
    }
}
