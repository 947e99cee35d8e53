package org.kindling.nn.models;

import java.util.Arrays;
import org.kindling.nn.BatchNorm2d;
import org.kindling.nn.Conv2d;
import org.kindling.nn.Module;
import org.kindling.nn.Sequential;
import org.kindling.nn.Tensor;
import org.kindling.nn.functional.F;

/**
 * torchvision's ResNet blocks: {@code basic} (two 3x3 convolutions, expansion 1; ResNet-18/34) and
 * {@code bottleneck} (1x1, 3x3 with the stride, 1x1; expansion 4; ResNet-50), each with BatchNorm,
 * ReLU and a residual connection, through {@code downsample} (1x1 conv + BatchNorm) where the shape
 * changes. Children are named as in torchvision ({@code conv1}, {@code bn1}, ..., {@code
 * downsample.0}).
 */
public class BasicBlock extends Module {
    private final boolean bottleneck;
    private final int outChannels;
    private final int stride;
    private final int inplanes;
    private final int planes;

    /**
     * @param inplanes input channels
     * @param planes block width; output channels are {@code planes} (basic) or {@code 4 * planes}
     *     (bottleneck)
     * @param stride stride of the 3x3 convolution
     * @param bottleneck bottleneck block instead of basic
     */
    public BasicBlock(int inplanes, int planes, int stride, boolean bottleneck) {
        this.bottleneck = bottleneck;
        this.stride = stride;
        this.inplanes = inplanes;
        this.planes = planes;
        this.outChannels = bottleneck ? planes * 4 : planes;
        if (bottleneck) {
            addModule("conv1", conv(inplanes, planes, 1, 1));
            addModule("bn1", new BatchNorm2d(planes));
            addModule("conv2", conv(planes, planes, 3, stride));
            addModule("bn2", new BatchNorm2d(planes));
            addModule("conv3", conv(planes, outChannels, 1, 1));
            addModule("bn3", new BatchNorm2d(outChannels));
        } else {
            addModule("conv1", conv(inplanes, planes, 3, stride));
            addModule("bn1", new BatchNorm2d(planes));
            addModule("conv2", conv(planes, planes, 3, 1));
            addModule("bn2", new BatchNorm2d(planes));
        }
        if (stride != 1 || inplanes != outChannels) {
            addModule(
                    "downsample",
                    new Sequential(
                            conv(inplanes, outChannels, 1, stride), new BatchNorm2d(outChannels)));
        }
    }

    static Conv2d conv(int in, int out, int k, int stride) {
        return new Conv2d(Conv2d.options(in, out, k).stride(stride).padding(k / 2).bias(false));
    }

    /** Output channels of the block. */
    public int outChannels() {
        return outChannels;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = F.relu(child("bn1").forward(child("conv1").forward(x)));
        h = child("bn2").forward(child("conv2").forward(h));
        if (bottleneck) {
            h = child("bn3").forward(child("conv3").forward(F.relu(h)));
        }
        Tensor identity =
                namedChildren().containsKey("downsample") ? child("downsample").forward(x) : x;
        return F.relu(F.add(h, identity));
    }

    @Override
    public long[] outputShape(long[] in) {
        long[] s = child("conv1").outputShape(in);
        s = child("conv2").outputShape(s);
        if (bottleneck) {
            s = child("conv3").outputShape(s);
        }
        if (s[1] != outChannels) {
            throw new IllegalStateException(
                    "block output " + Arrays.toString(s) + " has the wrong channels");
        }
        return s;
    }

    @Override
    protected com.google.gson.JsonObject config() {
        com.google.gson.JsonObject c = new com.google.gson.JsonObject();
        c.addProperty("inplanes", inplanes);
        c.addProperty("planes", planes);
        c.addProperty("stride", stride);
        c.addProperty("bottleneck", bottleneck);
        return c;
    }

    @Override
    protected String describe() {
        return (bottleneck ? "Bottleneck" : "BasicBlock")
                + "(out_channels="
                + outChannels
                + ", stride="
                + stride
                + ")";
    }

    /** The spec encoding of {@code BasicBlock} (see {@link org.kindling.nn.io.ModuleType}). */
    public static final class Type extends org.kindling.nn.io.ModuleType<BasicBlock> {
        /** Registered through {@code META-INF/services}. */
        public Type() {
            super("BasicBlock", BasicBlock.class);
        }

        @Override
        public BasicBlock fromConfig(org.kindling.nn.io.SpecConfig c) {
            return new BasicBlock(
                    c.i("inplanes"), c.i("planes"), c.i("stride"), c.bool("bottleneck"));
        }
    }
}
