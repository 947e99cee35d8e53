package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kindling.nn.training.KindlingBackend;
import org.kindling.nn.training.ModelDefinition;
import org.kindling.nn.training.ModelState;
import org.kindling.nn.training.OptimizerSpec;
import org.kindling.nn.training.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Initialisation and Dropout draw from a generator owned by the run: the seed fixes the bits. */
class GeneratorTest {

    static ModelDefinition netWithDropout() {
        Sequential m =
                new Sequential(
                        new Flatten(),
                        new Linear(48, 32),
                        new ReLU(),
                        new Dropout(0.5),
                        new Linear(32, 4));
        return KindlingBackend.define(
                m, "mlp+dropout", new long[] {3, 4, 4}, 4, OptimizerSpec.sgd(0.1), List.of());
    }

    static float[] train(ModelDefinition d, long seed, long dropoutSeed) {
        Trainer t = (Trainer) ModelState.initial(d, seed).learner();
        t.reseed(dropoutSeed);
        Nd4j.getRandom().setSeed(99); // the global ND4J generator must not matter
        INDArray x = Nd4j.linspace(-1, 1, 8 * 48, DataType.FLOAT).reshape(8, 3, 4, 4);
        INDArray y = Nd4j.createFromArray(new long[] {0, 1, 2, 3, 0, 1, 2, 3});
        for (int i = 0; i < 5; i++) {
            Nd4j.getRandom().nextInt(); // other users of the global generator in between
            t.step(x, y);
        }
        return t.parameters();
    }

    @Test
    void theSameSeedGivesTheSameParametersWithDropout() {
        ModelDefinition d = netWithDropout();
        assertArrayEquals(train(d, 1, 7), train(d, 1, 7));
    }

    @Test
    void anotherDropoutSeedGivesOtherMasks() {
        ModelDefinition d = netWithDropout();
        assertFalse(Arrays.equals(train(d, 1, 7), train(d, 1, 8)));
    }

    @Test
    void initialisationDependsOnTheRunSeedOnlyNotOnTheGlobalGenerator() {
        ModelDefinition d = netWithDropout();
        Init.manualSeed(123);
        float[] a = ModelState.initial(d, 5).parameters();
        Init.manualSeed(456);
        float[] b = ModelState.initial(d, 5).parameters();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, ModelState.initial(d, 6).parameters()));
    }
}
