package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Element-wise comparison with a tolerance relative to the largest expected magnitude. */
public final class CloseTo {
    private CloseTo() {}

    /**
     * Same shape, and every element within {@code tolerance x max|expected|}; fails if {@code
     * expected} is all zeros (nothing would be compared).
     */
    public static void assertClose(
            String what, INDArray expected, INDArray actual, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double[] e = expected.dup('c').data().asDouble();
        double[] a = actual.dup('c').data().asDouble();
        double scale = 0;
        for (double v : e) scale = Math.max(scale, Math.abs(v));
        assertTrue(scale > 0, what + " is all zeros, nothing compared");
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tolerance * scale, what + " at " + i);
        }
    }
}
