package org.kindling.nn.models;

import org.kindling.nn.Conv2d;
import org.kindling.nn.Flatten;
import org.kindling.nn.Linear;
import org.kindling.nn.MaxPool2d;
import org.kindling.nn.Sequential;

/**
 * The course's CIFAR-10 network ({@code Tudui}): 3 x [Conv2d 5x5 padding 2 + MaxPool2d(2)],
 * Flatten, Linear(1024, 64), Linear(64, 10), with no activations, as in the course. Input [N, 3,
 * 32, 32], output logits [N, 10]; 145,578 parameters.
 */
public final class CifarNet {
    /** Input shape of one image: [3, 32, 32]. */
    public static final long[] IMAGE_SHAPE = {3, 32, 32};

    private CifarNet() {}

    /** A freshly initialised network (seed with {@link org.kindling.nn.Init#manualSeed}). */
    public static Sequential create() {
        return create(10);
    }

    /** The same network with {@code numClasses} outputs. */
    public static Sequential create(int numClasses) {
        return new Sequential(
                new Conv2d(3, 32, 5, 1, 2),
                new MaxPool2d(2),
                new Conv2d(32, 32, 5, 1, 2),
                new MaxPool2d(2),
                new Conv2d(32, 64, 5, 1, 2),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(1024, 64),
                new Linear(64, numClasses));
    }
}
