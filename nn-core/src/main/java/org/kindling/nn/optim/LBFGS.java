package org.kindling.nn.optim;

import java.util.ArrayList;
import java.util.List;
import org.kindling.nn.Module;
import org.kindling.nn.ParameterVector;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * L-BFGS, a transcription of PyTorch 1.13's {@code torch.optim.LBFGS} (itself after minFunc),
 * including the optional strong-Wolfe line search. Each {@link #step(Closure)} evaluates the
 * closure (which must zero the gradients, compute the loss, call backward and return the loss) up
 * to {@code max_eval} times and returns the loss of the first evaluation.
 *
 * <p>Defaults: lr 1, max_iter 20, max_eval max_iter*5/4, tolerance_grad 1e-7, tolerance_change
 * 1e-9, history_size 100, no line search. Its state (the curvature history) stays on one machine:
 * unlike the first-order optimizers it is not a per-parameter buffer that a data-parallel trainer
 * can average.
 */
public class LBFGS {
    /** Re-evaluates the model: zero the gradients, forward, loss, backward; return the loss. */
    @FunctionalInterface
    public interface Closure {
        double evaluate();
    }

    private final ParameterVector params;
    private double lr = 1;
    private int maxIter = 20;
    private Integer maxEval;
    private double toleranceGrad = 1e-7;
    private double toleranceChange = 1e-9;
    private int historySize = 100;
    private boolean strongWolfe;

    private long funcEvals;
    private long nIter;
    private double[] d;
    private double t;
    private final List<double[]> oldDirs = new ArrayList<>();
    private final List<double[]> oldStps = new ArrayList<>();
    private final List<Double> ro = new ArrayList<>();
    private double hDiag = 1;
    private double[] prevFlatGrad;
    private double prevLoss;

    /** {@code LBFGS(model.parameters())} with PyTorch's defaults. */
    public LBFGS(Module module) {
        this.params = ParameterVector.bind(module);
    }

    /** Learning rate (default 1). */
    public LBFGS lr(double v) {
        lr = v;
        return this;
    }

    /** Maximal iterations per step (default 20). */
    public LBFGS maxIter(int v) {
        if (v < 1) throw new IllegalArgumentException("max_iter must be >= 1 but was: " + v);
        maxIter = v;
        return this;
    }

    /** Maximal function evaluations per step (default max_iter * 5 / 4). */
    public LBFGS maxEval(int v) {
        maxEval = v;
        return this;
    }

    /** First-order optimality tolerance (default 1e-7). */
    public LBFGS toleranceGrad(double v) {
        toleranceGrad = v;
        return this;
    }

    /** Tolerance on function value / parameter changes (default 1e-9). */
    public LBFGS toleranceChange(double v) {
        toleranceChange = v;
        return this;
    }

    /** Update history size (default 100). */
    public LBFGS historySize(int v) {
        if (v < 1) throw new IllegalArgumentException("history_size must be >= 1 but was: " + v);
        historySize = v;
        return this;
    }

    /** {@code line_search_fn}: null (none) or "strong_wolfe". */
    public LBFGS lineSearchFn(String fn) {
        if (fn != null && !fn.equals("strong_wolfe")) {
            throw new IllegalArgumentException(
                    "line_search_fn must be null or 'strong_wolfe' but was: '" + fn + "'");
        }
        strongWolfe = fn != null;
        return this;
    }

    /** Cumulative closure evaluations ({@code state['func_evals']}). */
    public long funcEvals() {
        return funcEvals;
    }

    /** Cumulative iterations ({@code state['n_iter']}). */
    public long nIter() {
        return nIter;
    }

    /** Sets every gradient to zero. */
    public void zeroGrad() {
        params.zeroGrad();
    }

    /** One optimisation step; returns the loss of the first closure evaluation. */
    public double step(Closure closure) {
        int maxEvals = maxEval != null ? maxEval : maxIter * 5 / 4;
        double origLoss = closure.evaluate();
        double loss = origLoss;
        int currentEvals = 1;
        funcEvals++;
        double[] g = flatGrad();
        if (absMax(g) <= toleranceGrad) {
            return origLoss;
        }
        int n = 0;
        while (n < maxIter) {
            n++;
            nIter++;
            if (nIter == 1) {
                d = neg(g);
                oldDirs.clear();
                oldStps.clear();
                ro.clear();
                hDiag = 1;
            } else {
                double[] y = sub(g, prevFlatGrad);
                double[] s = scale(d, t);
                double ys = dot(y, s);
                if (ys > 1e-10) {
                    if (oldDirs.size() == historySize) {
                        oldDirs.remove(0);
                        oldStps.remove(0);
                        ro.remove(0);
                    }
                    oldDirs.add(y);
                    oldStps.add(s);
                    ro.add(1.0 / ys);
                    hDiag = ys / dot(y, y);
                }
                int k = oldDirs.size();
                double[] al = new double[k];
                double[] q = neg(g);
                for (int i = k - 1; i >= 0; i--) {
                    al[i] = dot(oldStps.get(i), q) * ro.get(i);
                    axpy(-al[i], oldDirs.get(i), q);
                }
                double[] r = scale(q, hDiag);
                for (int i = 0; i < k; i++) {
                    double be = dot(oldDirs.get(i), r) * ro.get(i);
                    axpy(al[i] - be, oldStps.get(i), r);
                }
                d = r;
            }
            prevFlatGrad = g.clone();
            prevLoss = loss;
            t = nIter == 1 ? Math.min(1.0, 1.0 / absSum(g)) * lr : lr;
            double gtd = dot(g, d);
            if (gtd > -toleranceChange) {
                break;
            }
            int lsEvals = 0;
            if (strongWolfe) {
                double[] x0 = flatParams();
                LineSearch.Result ls =
                        LineSearch.strongWolfe(
                                (x, step, dir) -> directional(closure, x, step, dir),
                                x0,
                                t,
                                d,
                                loss,
                                g,
                                gtd,
                                toleranceChange);
                loss = ls.f();
                g = ls.g();
                t = ls.t();
                lsEvals = ls.evals();
                addToParams(t, d);
            } else {
                addToParams(t, d);
                if (n != maxIter) {
                    loss = closure.evaluate();
                    g = flatGrad();
                    lsEvals = 1;
                }
            }
            boolean optCond = absMax(g) <= toleranceGrad;
            currentEvals += lsEvals;
            funcEvals += lsEvals;
            if (n == maxIter || currentEvals >= maxEvals || optCond) {
                break;
            }
            if (absMax(scale(d, t)) <= toleranceChange
                    || Math.abs(loss - prevLoss) < toleranceChange) {
                break;
            }
        }
        return origLoss;
    }

    private double[] directional(Closure closure, double[] x, double step, double[] dir) {
        addToParams(step, dir);
        double f = closure.evaluate();
        double[] g = flatGrad();
        setParams(x);
        double[] out = new double[g.length + 1];
        out[0] = f;
        System.arraycopy(g, 0, out, 1, g.length);
        return out;
    }

    private double[] flatGrad() {
        return params.grad().toDoubleVector();
    }

    private double[] flatParams() {
        return params.data().toDoubleVector();
    }

    private void setParams(double[] x) {
        params.data().assign(Nd4j.createFromArray(x).castTo(params.data().dataType()));
    }

    private void addToParams(double step, double[] dir) {
        INDArray p = params.data();
        double[] v = p.toDoubleVector();
        for (int i = 0; i < v.length; i++) v[i] += step * dir[i];
        p.assign(Nd4j.createFromArray(v).castTo(p.dataType()));
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) y[i] += a * x[i];
    }

    private static double[] neg(double[] a) {
        return scale(a, -1);
    }

    private static double[] scale(double[] a, double s) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i] * s;
        return r;
    }

    private static double[] sub(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i] - b[i];
        return r;
    }

    static double absMax(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static double absSum(double[] a) {
        double s = 0;
        for (double v : a) s += Math.abs(v);
        return s;
    }
}
