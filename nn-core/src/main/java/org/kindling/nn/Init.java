package org.kindling.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Parameter initialisation with PyTorch's default distributions, from the current {@link Generator}
 * (the global one is seeded like {@code torch.manual_seed}). The numbers differ from PyTorch's (a
 * different generator), the distributions are the same: {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}
 * for conv and linear weights and biases.
 */
public final class Init {
    private Init() {}

    /** Re-seeds the generator used by every layer constructor, like {@code torch.manual_seed}. */
    public static synchronized void manualSeed(long seed) {
        Generator.global().manualSeed(seed);
    }

    /**
     * A float32 array of {@code shape} drawn from {@code U(-bound, bound)} with the {@linkplain
     * Generator#current() current generator}.
     */
    public static synchronized INDArray uniform(double bound, long... shape) {
        Generator random = Generator.current();
        long n = 1;
        for (long s : shape) n *= s;
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return Nd4j.create(v, shape, 'c').castTo(DataType.FLOAT);
    }
}
