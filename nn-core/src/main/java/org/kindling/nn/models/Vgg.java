package org.kindling.nn.models;

import org.kindling.nn.AdaptiveAvgPool2d;
import org.kindling.nn.Conv2d;
import org.kindling.nn.Dropout;
import org.kindling.nn.Flatten;
import org.kindling.nn.Linear;
import org.kindling.nn.MaxPool2d;
import org.kindling.nn.ReLU;
import org.kindling.nn.Sequential;

/**
 * torchvision's VGG and AlexNet as a {@link Sequential} of {@code features}, {@code avgpool}, a
 * parameter-free {@code flatten} and {@code classifier}, so keys and indices match torchvision
 * ({@code features.0.weight}, {@code classifier.6.bias}; replace the last layer with {@code
 * ((Sequential) vgg.child("classifier")).set(6, new Linear(4096, 10))}). Input [N, 3, 224, 224].
 * VGG16 has 138,357,544 parameters for 1000 classes, AlexNet 61,100,840.
 */
public final class Vgg {
    private static final int M = -1;
    private static final int[] VGG11 = {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    private static final int[] VGG16 = {
        64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M
    };

    private Vgg() {}

    /** VGG11 (configuration A), without batch norm. */
    public static Sequential vgg11(int numClasses) {
        return vgg(VGG11, numClasses);
    }

    /** VGG16 (configuration D), without batch norm. */
    public static Sequential vgg16(int numClasses) {
        return vgg(VGG16, numClasses);
    }

    private static Sequential vgg(int[] cfg, int numClasses) {
        Sequential features = new Sequential();
        int in = 3;
        for (int v : cfg) {
            if (v == M) {
                features.add(new MaxPool2d(2, 2));
            } else {
                features.add(new Conv2d(in, v, 3, 1, 1));
                features.add(new ReLU(true));
                in = v;
            }
        }
        Sequential classifier =
                new Sequential(
                        new Linear(512 * 7 * 7, 4096),
                        new ReLU(true),
                        new Dropout(),
                        new Linear(4096, 4096),
                        new ReLU(true),
                        new Dropout(),
                        new Linear(4096, numClasses));
        return assemble(features, new AdaptiveAvgPool2d(7), classifier);
    }

    /** torchvision's AlexNet. */
    public static Sequential alexnet(int numClasses) {
        Sequential features =
                new Sequential(
                        new Conv2d(3, 64, 11, 4, 2),
                        new ReLU(true),
                        new MaxPool2d(3, 2),
                        new Conv2d(64, 192, 5, 1, 2),
                        new ReLU(true),
                        new MaxPool2d(3, 2),
                        new Conv2d(192, 384, 3, 1, 1),
                        new ReLU(true),
                        new Conv2d(384, 256, 3, 1, 1),
                        new ReLU(true),
                        new Conv2d(256, 256, 3, 1, 1),
                        new ReLU(true),
                        new MaxPool2d(3, 2));
        Sequential classifier =
                new Sequential(
                        new Dropout(),
                        new Linear(256 * 6 * 6, 4096),
                        new ReLU(true),
                        new Dropout(),
                        new Linear(4096, 4096),
                        new ReLU(true),
                        new Linear(4096, numClasses));
        return assemble(features, new AdaptiveAvgPool2d(6), classifier);
    }

    private static Sequential assemble(
            Sequential features, AdaptiveAvgPool2d pool, Sequential classifier) {
        Sequential net = new Sequential();
        net.addModule("features", features);
        net.addModule("avgpool", pool);
        net.addModule("flatten", new Flatten());
        net.addModule("classifier", classifier);
        return net;
    }
}
