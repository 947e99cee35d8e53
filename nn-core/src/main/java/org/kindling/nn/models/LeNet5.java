package org.kindling.nn.models;

import org.kindling.nn.Conv2d;
import org.kindling.nn.Flatten;
import org.kindling.nn.Linear;
import org.kindling.nn.MaxPool2d;
import org.kindling.nn.ReLU;
import org.kindling.nn.Sequential;

/**
 * LeNet-5 for 28x28 grayscale digits, in its common modern form: Conv2d(1, 6, 5, padding 2), ReLU,
 * MaxPool2d(2), Conv2d(6, 16, 5), ReLU, MaxPool2d(2), Flatten, Linear(400, 120), ReLU, Linear(120,
 * 84), ReLU, Linear(84, num_classes). Input [N, 1, 28, 28]; 61,706 parameters for 10 classes.
 */
public final class LeNet5 {
    /** Input shape of one image: [1, 28, 28]. */
    public static final long[] IMAGE_SHAPE = {1, 28, 28};

    private LeNet5() {}

    /** A freshly initialised network. */
    public static Sequential create(int numClasses) {
        return new Sequential(
                new Conv2d(1, 6, 5, 1, 2),
                new ReLU(),
                new MaxPool2d(2),
                new Conv2d(6, 16, 5),
                new ReLU(),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(400, 120),
                new ReLU(),
                new Linear(120, 84),
                new ReLU(),
                new Linear(84, numClasses));
    }
}
