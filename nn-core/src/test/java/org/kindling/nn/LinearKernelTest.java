package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.kindling.nn.functional.F;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code F.linear} in float32 runs on oneDNN's inner product; in float64 on ND4J's matrix products.
 * Output, input gradient, weight gradient and bias gradient of the first must match the second
 * within float32 rounding of sums of {@code terms} products (the tolerance of {@link
 * ConvWeightGradientTest}); a transposed weight or a bias summed over the wrong axis is off by the
 * order of the values themselves.
 */
class LinearKernelTest {

    @Test
    void oneDnnMatchesTheReferenceForwardAndBackward() {
        same(64, 1024, 64, true, false); // the course net's first linear layer
        same(64, 64, 10, true, false); // its second
        same(5, 7, 3, false, false); // no bias
        same(1, 4, 2, true, false); // one example
        same(6, 5, 4, true, true); // the input a transposed view (not row-major)
    }

    private static void same(int n, int in, int out, boolean bias, boolean viewInput) {
        String what = n + "x" + in + " -> " + out + (bias ? "" : ", no bias");
        Nd4j.getRandom().setSeed(what.hashCode());
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, in);
        INDArray w = Nd4j.randn(DataType.DOUBLE, out, in);
        INDArray b = Nd4j.randn(DataType.DOUBLE, out);
        INDArray g = Nd4j.randn(DataType.DOUBLE, n, out);
        INDArray[] reference = run(x, w, b, g, bias, false);
        INDArray[] f32 = run(f32(x), f32(w), f32(b), f32(g), bias, viewInput);
        String[] names = {"output", "input gradient", "weight gradient", "bias gradient"};
        long[] terms = {in, out, n, n};
        for (int i = 0; i < (bias ? 4 : 3); i++) {
            double tolerance = Math.max(1e-5, 4 * Math.sqrt(terms[i]) * Math.pow(2, -24));
            assertArrayEquals(reference[i].shape(), f32[i].shape(), what + " " + names[i]);
            CloseTo.assertClose(
                    what + " " + names[i], reference[i], f32[i].castTo(DataType.DOUBLE), tolerance);
        }
    }

    private static INDArray f32(INDArray a) {
        return a.castTo(DataType.FLOAT);
    }

    /** Output, input, weight and bias gradients of {@code linear(x, w, b)} for gradient g. */
    private static INDArray[] run(
            INDArray x, INDArray w, INDArray b, INDArray g, boolean bias, boolean viewInput) {
        INDArray input = viewInput ? x.transpose().dup('c').transpose() : x.dup();
        Tensor tx = Tensor.requiringGrad(input);
        Parameter pw = new Parameter(w.dup());
        Parameter pb = new Parameter(b.dup());
        Tensor y = F.linear(tx, pw.tensor(), bias ? pb.tensor() : null);
        INDArray out = y.data().dup();
        y.backward(g.dup());
        return new INDArray[] {out, tx.grad(), pw.grad(), pb.grad()};
    }
}
