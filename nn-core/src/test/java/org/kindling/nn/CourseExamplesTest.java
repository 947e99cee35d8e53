package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.kindling.nn.functional.F;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The course's worked examples of convolution and max pooling, number for number. */
class CourseExamplesTest {
    static final double[][] INPUT = {
        {1, 2, 0, 3, 1}, {0, 1, 2, 3, 1}, {1, 2, 1, 0, 0}, {5, 2, 3, 1, 1}, {2, 1, 0, 1, 1}
    };
    static final double[][] KERNEL = {{1, 2, 1}, {0, 1, 0}, {2, 1, 0}};

    static Tensor image(double[][] v) {
        return Tensor.of(
                Nd4j.create(v).castTo(DataType.FLOAT).reshape(1, 1, v.length, v[0].length));
    }

    static double[][] plane(Tensor t) {
        INDArray a = t.data();
        return a.reshape(a.size(2), a.size(3)).castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    static double[][] conv(int stride, int padding) {
        return plane(
                F.conv2d(
                        image(INPUT),
                        image(KERNEL),
                        null,
                        new int[] {stride, stride},
                        new int[] {padding, padding},
                        new int[] {1, 1},
                        1));
    }

    @Test
    void convWithStride1GivesTheCourse3x3Map() {
        assertArrayEquals(new double[][] {{10, 12, 12}, {18, 16, 16}, {13, 9, 3}}, conv(1, 0));
    }

    @Test
    void convWithStride2GivesTheCourse2x2Map() {
        assertArrayEquals(new double[][] {{10, 12}, {13, 3}}, conv(2, 0));
    }

    @Test
    void convWithPadding1KeepsThe5x5Size() {
        double[][] out = conv(1, 1);
        assertEquals(5, out.length);
        assertEquals(5, out[0].length);
        // (1,1) equals the unpadded (0,0); the corner sees only the 2x2 top-left input cells.
        assertEquals(10, out[1][1]);
        assertEquals(1 * 1 + 0 * 2 + 1 * 0 + 0 * 1, out[0][0]);
    }

    @Test
    void maxPool3WithCeilModeKeepsThePartialWindows() {
        MaxPool2d pool = new MaxPool2d(3).ceilMode(true);
        assertArrayEquals(new double[][] {{2, 3}, {5, 1}}, plane(pool.forward(image(INPUT))));
    }

    @Test
    void maxPool3WithoutCeilModeDropsThePartialWindows() {
        MaxPool2d pool = new MaxPool2d(3);
        assertArrayEquals(new double[][] {{2}}, plane(pool.forward(image(INPUT))));
    }
}
