package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences in float64 against autograd, for layers the golden file does not
 * cover.
 */
final class GradCheck {
    private GradCheck() {}

    /**
     * Checks d(sum(f(x) * w))/dx for a fixed random weighting w, and the same for every parameter.
     */
    static void check(Module m, INDArray x, double tol) {
        m.to(DataType.DOUBLE);
        INDArray in = x.castTo(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(17);
        INDArray w = Nd4j.rand(DataType.DOUBLE, m.outputShape(in.shape()));
        Function<INDArray, Double> loss =
                a -> m.forward(Tensor.of(a)).data().mul(w).sumNumber().doubleValue();
        m.zeroGrad();
        Tensor t = Tensor.requiringGrad(in.dup());
        Tensor y = m.forward(t);
        y.backward(w);
        compare("input", t.grad(), numeric(in, loss), tol);
        for (var e : m.namedParameters().entrySet()) {
            INDArray p = e.getValue().data();
            INDArray analytic = e.getValue().grad().dup();
            INDArray num = numeric(p, a -> loss.apply(in));
            compare(e.getKey(), analytic, num, tol);
        }
    }

    /** Finite differences of f w.r.t. the elements of {@code a} (perturbed in place, restored). */
    private static INDArray numeric(INDArray a, Function<INDArray, Double> f) {
        double h = 1e-6;
        INDArray flat = a.reshape(a.length());
        INDArray g = Nd4j.zeros(DataType.DOUBLE, a.length());
        for (long i = 0; i < a.length(); i++) {
            double v = flat.getDouble(i);
            flat.putScalar(i, v + h);
            double up = f.apply(a);
            flat.putScalar(i, v - h);
            double down = f.apply(a);
            flat.putScalar(i, v);
            g.putScalar(i, (up - down) / (2 * h));
        }
        return g.reshape(a.shape());
    }

    private static void compare(String what, INDArray analytic, INDArray numeric, double tol) {
        double diff = analytic.sub(numeric).amaxNumber().doubleValue();
        double scale = Math.max(1, numeric.amaxNumber().doubleValue());
        assertTrue(
                diff <= tol * scale, what + ": autograd and finite differences differ by " + diff);
    }
}
