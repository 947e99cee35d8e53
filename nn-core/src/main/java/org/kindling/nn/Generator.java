package org.kindling.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A seedable source of randomness, like {@code torch.Generator}: parameter initialisation and
 * Dropout draw from the {@linkplain #current() current} generator. A trainer owns one and makes it
 * current for its steps, so a run's randomness depends only on its seed, never on other runs in the
 * same JVM (an executor serves many). Outside any trainer the current generator is the global one
 * that {@link Init#manualSeed(long)} seeds.
 *
 * <p>Not thread-safe: one generator serves one thread at a time.
 */
public final class Generator {
    private static final Generator GLOBAL = new Generator(0);
    private static final ThreadLocal<Generator> CURRENT = new ThreadLocal<>();

    private SplittableRandom random;
    private org.nd4j.linalg.api.rng.Random nativeRandom;

    /** A generator seeded with {@code seed}. */
    public Generator(long seed) {
        manualSeed(seed);
    }

    /** Re-seeds this generator, like {@code Generator.manual_seed}. Returns this. */
    public Generator manualSeed(long seed) {
        random = new SplittableRandom(seed);
        return this;
    }

    /** A uniform double in [0, 1). */
    public double nextDouble() {
        return random.nextDouble();
    }

    /** A uniform long (for example a seed for a derived generator). */
    public long nextLong() {
        return random.nextLong();
    }

    /**
     * An array of {@code shape} with elements uniform in [0, 1), drawn by one libnd4j op (no
     * per-element Java work), seeded from this generator.
     */
    public INDArray uniform(DataType type, long... shape) {
        if (nativeRandom == null) {
            nativeRandom = Nd4j.getRandomFactory().getNewRandomInstance(random.nextLong());
        } else {
            nativeRandom.setSeed(random.nextLong());
        }
        INDArray u = Nd4j.rand(nativeRandom, shape);
        return u.dataType() == type ? u : u.castTo(type);
    }

    /** The generator layers draw from on this thread. */
    public static Generator current() {
        Generator g = CURRENT.get();
        return g != null ? g : GLOBAL;
    }

    /** The global generator ({@link Init#manualSeed(long)}). */
    static Generator global() {
        return GLOBAL;
    }

    /**
     * Makes {@code g} the current generator of this thread until the returned scope is closed.
     *
     * <pre>{@code
     * try (Generator.Scope s = Generator.use(new Generator(seed))) {
     *     model = new Sequential(...); // initialised from the seed
     * }
     * }</pre>
     */
    public static Scope use(Generator g) {
        Generator previous = CURRENT.get();
        CURRENT.set(g);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** Restores the previous current generator when closed. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
