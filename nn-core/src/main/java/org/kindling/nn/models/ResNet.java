package org.kindling.nn.models;

import org.kindling.nn.AdaptiveAvgPool2d;
import org.kindling.nn.BatchNorm2d;
import org.kindling.nn.Conv2d;
import org.kindling.nn.Flatten;
import org.kindling.nn.Identity;
import org.kindling.nn.Linear;
import org.kindling.nn.MaxPool2d;
import org.kindling.nn.ReLU;
import org.kindling.nn.Sequential;

/**
 * torchvision's ResNets as a {@link Sequential} with torchvision's child names ({@code conv1},
 * {@code bn1}, {@code relu}, {@code maxpool}, {@code layer1}..{@code layer4}, {@code avgpool},
 * {@code fc}) plus a parameter-free {@code flatten} before {@code fc}, so state_dict keys match
 * torchvision ({@code layer1.0.conv1.weight}, {@code fc.bias}). Input [N, 3, 224, 224] (any size >=
 * 32 works); ResNet-18 has 11,689,512 parameters for 1000 classes. The CIFAR variant uses a 3x3
 * stride-1 stem and no max pooling, for 32x32 input.
 */
public final class ResNet {
    private ResNet() {}

    /** ResNet-18: basic blocks [2, 2, 2, 2]. */
    public static Sequential resnet18(int numClasses) {
        return build(new int[] {2, 2, 2, 2}, false, numClasses, false);
    }

    /** ResNet-34: basic blocks [3, 4, 6, 3]. */
    public static Sequential resnet34(int numClasses) {
        return build(new int[] {3, 4, 6, 3}, false, numClasses, false);
    }

    /** ResNet-50: bottleneck blocks [3, 4, 6, 3]. */
    public static Sequential resnet50(int numClasses) {
        return build(new int[] {3, 4, 6, 3}, true, numClasses, false);
    }

    /** ResNet-18 for 32x32 images: 3x3 stem with stride 1, no max pooling. */
    public static Sequential resnet18Cifar(int numClasses) {
        return build(new int[] {2, 2, 2, 2}, false, numClasses, true);
    }

    private static Sequential build(
            int[] layers, boolean bottleneck, int numClasses, boolean cifarStem) {
        Sequential net = new Sequential();
        net.addModule(
                "conv1",
                cifarStem
                        ? new Conv2d(Conv2d.options(3, 64, 3).stride(1).padding(1).bias(false))
                        : new Conv2d(Conv2d.options(3, 64, 7).stride(2).padding(3).bias(false)));
        net.addModule("bn1", new BatchNorm2d(64));
        net.addModule("relu", new ReLU(true));
        net.addModule("maxpool", cifarStem ? new Identity() : new MaxPool2d(3, 2).padding(1));
        int inplanes = 64;
        int[] widths = {64, 128, 256, 512};
        for (int l = 0; l < 4; l++) {
            Sequential layer = new Sequential();
            for (int b = 0; b < layers[l]; b++) {
                BasicBlock block =
                        new BasicBlock(inplanes, widths[l], b == 0 && l > 0 ? 2 : 1, bottleneck);
                layer.add(block);
                inplanes = block.outChannels();
            }
            net.addModule("layer" + (l + 1), layer);
        }
        net.addModule("avgpool", new AdaptiveAvgPool2d(1));
        net.addModule("flatten", new Flatten());
        net.addModule("fc", new Linear(inplanes, numClasses));
        return net;
    }
}
