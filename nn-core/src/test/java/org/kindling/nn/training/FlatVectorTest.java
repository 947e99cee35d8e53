package org.kindling.nn.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kindling.nn.Sequential;
import org.kindling.nn.loss.CrossEntropyLoss;
import org.kindling.nn.models.CifarNet;
import org.kindling.nn.optim.Adam;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Slices of a vector made of arrays laid end to end, whatever the arrays are views of. */
class FlatVectorTest {
    @Test
    void slicesReadViewsAtTheirOwnOffsets() {
        INDArray root = Nd4j.linspace(DataType.FLOAT, 0, 100, 1); // 0 .. 99
        INDArray view = root.get(NDArrayIndex.interval(10, 40)); // 10 .. 39
        INDArray viewOfView = view.get(NDArrayIndex.interval(5, 15)); // 15 .. 24
        INDArray doubles = Nd4j.linspace(DataType.DOUBLE, 1000, 4, 1); // 1000 .. 1003
        INDArray matrix = Nd4j.linspace(DataType.FLOAT, 500, 6, 1).reshape('c', 2, 3);
        INDArray transposed =
                Nd4j.linspace(DataType.FLOAT, 700, 6, 1).reshape('c', 2, 3).transpose();
        List<INDArray> segments = List.of(view, viewOfView, doubles, matrix, transposed, root);
        FlatVector flat = new FlatVector(segments);
        assertEquals(30 + 10 + 4 + 6 + 6 + 100, flat.length());

        float[] expected = new float[(int) flat.length()];
        int k = 0;
        for (INDArray s : segments) {
            for (float v : s.castTo(DataType.FLOAT).dup('c').reshape(s.length()).toFloatVector()) {
                expected[k++] = v;
            }
        }
        assertEquals(15f, expected[30]); // the view of a view starts at its own offset
        assertArrayEquals(expected, flat.slice(0, flat.length()));
        // every cut, across segment borders, into the middle of a larger array
        for (int from = 0; from < expected.length; from += 7) {
            for (int to = from; to <= expected.length; to += 13) {
                float[] out = new float[to - from + 5];
                java.util.Arrays.fill(out, -1f);
                flat.sliceInto(from, to, out, 3);
                for (int i = 0; i < out.length; i++) {
                    float want = i >= 3 && i < 3 + to - from ? expected[from + i - 3] : -1f;
                    assertEquals(want, out[i], "slice [" + from + ", " + to + ") at " + i);
                }
            }
        }
    }

    @Test
    void aLearnersSegmentsSliceToItsParametersAndState() {
        Sequential net = CifarNet.create();
        Trainer t = new Trainer(net, CifarNet.IMAGE_SHAPE, new CrossEntropyLoss(), new Adam(net));
        t.step(
                Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32),
                Nd4j.createFromArray(new long[] {1, 2, 3, 4}));
        float[] params = t.parameters();
        float[] state = t.optimizerState();
        float[] all = new FlatVector(t.flatSegments(true)).slice(0, params.length + state.length);
        assertArrayEquals(params, java.util.Arrays.copyOfRange(all, 0, params.length));
        assertArrayEquals(state, java.util.Arrays.copyOfRange(all, params.length, all.length));
    }

    @Test
    void rangesOutsideTheVectorOrTheArrayAreRefused() {
        FlatVector flat = new FlatVector(List.of(Nd4j.createFromArray(1f, 2f, 3f)));
        assertThrows(IllegalArgumentException.class, () -> flat.slice(1, 4));
        assertThrows(IllegalArgumentException.class, () -> flat.slice(2, 1));
        assertThrows(IllegalArgumentException.class, () -> flat.sliceInto(0, 3, new float[4], 2));
    }
}
