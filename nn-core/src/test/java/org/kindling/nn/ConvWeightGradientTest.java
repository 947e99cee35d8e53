package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kindling.nn.functional.F;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A convolution whose input needs no gradient (the network's first layer) computes only its weight
 * and bias gradients (in float32 by oneDNN's backward-weights kernel, in float64 by a forward
 * convolution on libnd4j): they must match the gradients computed when the input does need one.
 */
class ConvWeightGradientTest {

    @Test
    void firstLayerGradientsMatchTheFullBackwardPass() {
        same(64, 3, 32, 32, 32, 5, 5, 2, 1, true); // the course net's first convolution
        same(4, 4, 9, 7, 6, 3, 2, 0, 1, false); // non-square kernel, no padding, no bias
        same(1, 2, 5, 5, 3, 3, 3, 1, 1, true); // one example
        same(3, 2, 8, 8, 4, 3, 3, 1, 2, true); // stride 2: weight-only in float32, full in float64
    }

    @Test
    void anInputWithoutGradientGetsNone() {
        Nd4j.getRandom().setSeed(1);
        Tensor x = Tensor.of(Nd4j.randn(DataType.FLOAT, 2, 3, 6, 6));
        Parameter w = new Parameter(Nd4j.randn(DataType.FLOAT, 4, 3, 3, 3));
        Tensor y =
                F.conv2d(
                        x,
                        w.tensor(),
                        null,
                        new int[] {1, 1},
                        new int[] {1, 1},
                        new int[] {1, 1},
                        1);
        y.backward(Nd4j.ones(DataType.FLOAT, y.shape()));
        assertTrue(w.grad().amaxNumber().doubleValue() > 0);
        assertNull(x.grad());
    }

    /**
     * Float32 gradients with an input that needs none and with one that does, each against the full
     * backward pass in float64: both within float32 rounding of it. Each gradient element is a sum
     * of n x outH x outW products, added in whatever order the kernel chooses (oneDNN's AVX2 and
     * AVX-512 kernels differ); the rounding error of such a sum grows like sqrt(terms) x 2^-24
     * relative to its magnitude, so the tolerance is 4x that, and never below 1e-5. A wrong route
     * is off by the order of the gradient itself.
     */
    private static void same(
            int n,
            int c,
            int h,
            int wd,
            int out,
            int kh,
            int kw,
            int pad,
            int stride,
            boolean bias) {
        String what =
                n + "x" + c + "x" + h + "x" + wd + " -> " + out + " k" + kh + "x" + kw + " p" + pad
                        + " s" + stride;
        Nd4j.getRandom().setSeed(what.hashCode());
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, c, h, wd);
        INDArray w = Nd4j.randn(DataType.DOUBLE, out, c, kh, kw);
        INDArray b = Nd4j.randn(DataType.DOUBLE, out);
        INDArray g =
                Nd4j.randn(
                        DataType.DOUBLE,
                        n,
                        out,
                        (h + 2 * pad - kh) / stride + 1,
                        (wd + 2 * pad - kw) / stride + 1);
        long terms = g.length() / out;
        double tolerance = Math.max(1e-5, 4 * Math.sqrt(terms) * Math.pow(2, -24));
        INDArray[] reference = gradients(Tensor.requiringGrad(x), w, b, g, pad, stride, bias);
        INDArray[] full =
                gradients(Tensor.requiringGrad(f32(x)), f32(w), f32(b), f32(g), pad, stride, bias);
        INDArray[] firstLayer =
                gradients(Tensor.of(f32(x)), f32(w), f32(b), f32(g), pad, stride, bias);
        // in float64 (no oneDNN kernel: libnd4j's own) the same route is exact to float64 rounding
        INDArray[] firstLayer64 = gradients(Tensor.of(x), w, b, g, pad, stride, bias);
        for (int i = 0; i < (bias ? 2 : 1); i++) {
            String name = what + (i == 0 ? " weight gradient" : " bias gradient");
            CloseTo.assertClose(name + ", input with gradient", reference[i], full[i], tolerance);
            CloseTo.assertClose(
                    name + ", input without gradient", reference[i], firstLayer[i], tolerance);
            CloseTo.assertClose(
                    name + ", input without gradient, float64",
                    reference[i],
                    firstLayer64[i],
                    1e-12);
        }
    }

    private static INDArray f32(INDArray a) {
        return a.castTo(DataType.FLOAT);
    }

    /** The weight and bias gradients of {@code conv2d(x, w, b)} for output gradient {@code g}. */
    private static INDArray[] gradients(
            Tensor x, INDArray w, INDArray b, INDArray g, int pad, int stride, boolean bias) {
        Parameter pw = new Parameter(w.dup());
        Parameter pb = new Parameter(b.dup());
        Tensor y =
                F.conv2d(
                        x,
                        pw.tensor(),
                        bias ? pb.tensor() : null,
                        new int[] {stride, stride},
                        new int[] {pad, pad},
                        new int[] {1, 1},
                        1);
        assertArrayEquals(g.shape(), y.shape());
        y.backward(g.dup());
        return new INDArray[] {pw.grad(), pb.grad()};
    }
}
