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
        if (from < 0 || from + n > src.length) {
            throw new IllegalArgumentException(
                    "need "
                            + n
                            + " values from offset "
                            + from
                            + " but the source has "
                            + src.length);
        }
        if (target.dataType() == DataType.FLOAT
                && Layout.isRowMajor(target)
                && target.data().length() == n
                && Nd4j.getExecutioner()
                        .getEnvironmentInformation()
                        .getProperty("backend", "")
                        .equalsIgnoreCase("CPU")) {
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
}
