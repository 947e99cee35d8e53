package org.kindling.nn.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class FiniteTest {
    @Test
    void aSumThatOverflowsIsCheckedExactly() {
        INDArray big = Nd4j.createFromArray(new float[] {3e38f, -3e38f, 3e38f, 1f});
        assertFalse(Finite.bySum(big), "the float sum of absolute values overflows");
        assertTrue(Finite.all(big), "every element is finite");
        big.putScalar(3, Float.NaN);
        assertFalse(Finite.all(big));
        INDArray d = Nd4j.createFromArray(new double[] {1e308, 1e308});
        assertFalse(Finite.bySum(d));
        assertTrue(Finite.all(d));
    }

    @Test
    void everyElementOfViewsAndEveryTypeIsSeen() {
        for (DataType t :
                new DataType[] {
                    DataType.FLOAT, DataType.DOUBLE, DataType.HALF, DataType.BFLOAT16
                }) {
            INDArray a = Nd4j.rand(DataType.FLOAT, 7, 9).castTo(t);
            assertTrue(Finite.all(a), t.toString());
            for (long i = 0; i < a.length(); i++) {
                INDArray x = a.dup('c');
                x.putScalar(i, i % 2 == 0 ? Double.NaN : Double.NEGATIVE_INFINITY);
                assertFalse(Finite.all(x), t + ", index " + i);
                assertFalse(Finite.all(x.transpose()), t + ", transposed, index " + i);
                long row = i / 9;
                assertFalse(
                        Finite.all(x.get(NDArrayIndex.interval(row, row + 1), NDArrayIndex.all())),
                        t + ", the row holding index " + i);
                if (row > 0) {
                    assertTrue(
                            Finite.all(x.get(NDArrayIndex.interval(0, row), NDArrayIndex.all())),
                            t + ", the rows before index " + i);
                }
            }
        }
        assertTrue(Finite.all(Nd4j.createFromArray(new int[] {1, 2, 3})));
        assertTrue(Finite.all(Nd4j.create(DataType.FLOAT, 0)));
        assertThrows(
                IllegalArgumentException.class,
                () -> Finite.bySum(Nd4j.createFromArray(new int[] {1})));
        assertThrows(
                IllegalArgumentException.class, () -> Finite.bySum(Nd4j.ones(DataType.HALF, 2)));
    }
}
