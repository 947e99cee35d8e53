package org.kindling.nn.internal;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies Java float arrays into ND4J arrays in one bulk native copy, without the temporary ND4J
 * array that {@code assign(Nd4j.createFromArray(...))} makes: for a model of hundreds of millions
 * of parameters that temporary is gigabytes of native memory per round, freed only when the garbage
 * collector gets to it.
 */
public final class HostCopy {
    private HostCopy() {}

    /** Writes {@code src[from, from + target.length())} into {@code target}. */
    public static void into(INDArray target, float[] src, int from) {
        long n = target.length();
        requireRoom(n, from, src.length);
        if (direct(target)) {
            FloatPointer p = new FloatPointer(target.data().addressPointer());
            p.put(src, from, (int) n);
            return;
        }
        float[] part =
                from == 0 && n == src.length
                        ? src
                        : java.util.Arrays.copyOfRange(src, from, from + (int) n);
        target.assign(Nd4j.create(part, target.shape(), 'c').castTo(target.dataType()));
    }

    /**
     * Reads {@code src}'s elements, in row-major order, into {@code dst} from {@code at}: one bulk
     * copy from a float32 row-major array on the CPU, a float copy otherwise.
     */
    public static void from(INDArray src, float[] dst, int at) {
        long n = src.length();
        requireRoom(n, at, dst.length);
        if (direct(src)) {
            new FloatPointer(src.data().addressPointer()).get(dst, at, (int) n);
            return;
        }
        float[] v =
                (src.dataType() == DataType.FLOAT ? src : src.castTo(DataType.FLOAT))
                        .dup('c')
                        .reshape(n)
                        .toFloatVector();
        System.arraycopy(v, 0, dst, at, v.length);
    }

    /** Checks that a Java array of {@code length} has {@code n} values from {@code offset}. */
    private static void requireRoom(long n, int offset, int length) {
        if (offset < 0 || offset + n > length) {
            throw new IllegalArgumentException(
                    "need "
                            + n
                            + " values from offset "
                            + offset
                            + " but the Java array has "
                            + length);
        }
    }

    /**
     * Whether {@code a}'s memory can be read or written as one float32 run in row-major order: a
     * float32 row-major array on the CPU whose data buffer is exactly its elements (a view's buffer
     * starts at the view's first element).
     */
    private static boolean direct(INDArray a) {
        return a.dataType() == DataType.FLOAT
                && Layout.isRowMajor(a)
                && a.data().length() == a.length()
                && Nd4j.getExecutioner()
                        .getEnvironmentInformation()
                        .getProperty("backend", "")
                        .equalsIgnoreCase("CPU");
    }
}
