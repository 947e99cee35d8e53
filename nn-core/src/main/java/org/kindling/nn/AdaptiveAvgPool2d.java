package org.kindling.nn;

import java.util.Arrays;
import org.kindling.nn.functional.F;

/**
 * Adaptive average pooling to a fixed output size, like {@code torch.nn.AdaptiveAvgPool2d}: [N, C,
 * H, W] to [N, C, outH, outW] for any H, W.
 */
public class AdaptiveAvgPool2d extends Module {
    private final int outH;
    private final int outW;

    /** {@code AdaptiveAvgPool2d(size)}: a square output. */
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    /** {@code AdaptiveAvgPool2d((outH, outW))}. */
    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(
                    "AdaptiveAvgPool2d: output size must be >= 1 but was ("
                            + outH
                            + ", "
                            + outW
                            + ")");
        }
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        outputShape(x.shape());
        return F.adaptiveAvgPool2d(x, outH, outW);
    }

    @Override
    public long[] outputShape(long[] in) {
        if (in.length != 4) {
            throw new IllegalArgumentException(
                    describe()
                            + " expects input [N, C, H, W] but got shape "
                            + Arrays.toString(in));
        }
        return new long[] {in[0], in[1], outH, outW};
    }

    @Override
    protected com.google.gson.JsonObject config() {
        com.google.gson.JsonObject c = new com.google.gson.JsonObject();
        c.add("output_size", Module.pairJson(new int[] {outH, outW}));
        return c;
    }

    @Override
    protected String describe() {
        return "AdaptiveAvgPool2d(output_size=(" + outH + ", " + outW + "))";
    }

    /**
     * The spec encoding of {@code AdaptiveAvgPool2d} (see {@link org.kindling.nn.io.ModuleType}).
     */
    public static final class Type extends org.kindling.nn.io.ModuleType<AdaptiveAvgPool2d> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("AdaptiveAvgPool2d", AdaptiveAvgPool2d.class);
        }

        @Override
        public AdaptiveAvgPool2d fromConfig(org.kindling.nn.io.SpecConfig c) {
            int[] o = c.pair("output_size");
            return new AdaptiveAvgPool2d(o[0], o[1]);
        }
    }
}
