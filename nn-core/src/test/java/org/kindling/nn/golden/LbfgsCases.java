package org.kindling.nn.golden;

import static org.kindling.nn.golden.Golden.close;
import static org.kindling.nn.golden.Golden.nums;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kindling.nn.optim.LBFGS;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@code lbfgs} section: iterates, returned losses, evaluation counts and evaluation points.
 * Every input comes from the case: the function and its {@code A}/{@code C}, {@code x0}, and each
 * keyword argument (an argument LBFGS cannot apply fails the case).
 */
final class LbfgsCases {
    private LbfgsCases() {}

    /** The keyword arguments LBFGS accepts, in the order they are applied. */
    private static final Map<String, BiConsumer<LBFGS, JsonElement>> SETTERS = setters();

    private static Map<String, BiConsumer<LBFGS, JsonElement>> setters() {
        Map<String, BiConsumer<LBFGS, JsonElement>> s = new LinkedHashMap<>();
        s.put("lr", (o, v) -> o.lr(v.getAsDouble()));
        s.put("max_iter", (o, v) -> o.maxIter(v.getAsInt()));
        s.put("max_eval", (o, v) -> o.maxEval(v.getAsInt()));
        s.put("tolerance_grad", (o, v) -> o.toleranceGrad(v.getAsDouble()));
        s.put("tolerance_change", (o, v) -> o.toleranceChange(v.getAsDouble()));
        s.put("history_size", (o, v) -> o.historySize(v.getAsInt()));
        s.put("line_search_fn", (o, v) -> o.lineSearchFn(v.isJsonNull() ? null : v.getAsString()));
        return s;
    }

    /**
     * A new LBFGS with every keyword argument of {@code kw} applied.
     *
     * @throws IllegalArgumentException naming the argument if LBFGS cannot apply one
     */
    static LBFGS build(JsonObject kw, OptimizerCases.Holder h) {
        for (String k : kw.keySet()) {
            if (!SETTERS.containsKey(k)) {
                throw new IllegalArgumentException(
                        "LBFGS keyword argument "
                                + k
                                + "="
                                + kw.get(k)
                                + " cannot be applied by the Java optimizer; it accepts "
                                + SETTERS.keySet());
            }
        }
        LBFGS opt = new LBFGS(h);
        SETTERS.forEach(
                (k, setter) -> {
                    if (kw.has(k)) setter.accept(opt, kw.get(k));
                });
        return opt;
    }

    /** The objective of a case: f(p), writing the gradient into g. */
    interface Objective {
        double eval(double[] p, double[] g);
    }

    /** The case's function with its own constants. */
    static Objective objective(JsonObject c) {
        String fn = c.get("function").getAsString();
        switch (fn) {
            case "rosenbrock":
                return LbfgsCases::rosenbrock;
            case "quadratic":
                {
                    double[] a = nums(c.getAsJsonArray("A"));
                    double[] cc = nums(c.getAsJsonArray("C"));
                    return (p, g) -> quadratic(a, cc, p, g);
                }
            default:
                throw new IllegalArgumentException(
                        "function '" + fn + "' is unknown; expected rosenbrock or quadratic");
        }
    }

    /**
     * Runs a case with its {@code kwargs} (Java defaults included) and with its full {@code
     * hyperparams}.
     */
    static void check(JsonObject c) {
        run(c, c.getAsJsonObject("kwargs"), "kwargs");
        if (c.has("hyperparams")) {
            run(c, c.getAsJsonObject("hyperparams"), "hyperparams");
        }
    }

    private static void run(JsonObject c, JsonObject kw, String from) {
        double[] x0 = nums(c.getAsJsonArray("x0"));
        Objective f = objective(c);
        OptimizerCases.Holder h = new OptimizerCases.Holder(x0);
        LBFGS opt = build(kw, h);
        double[] tol = tolerance(c);
        double rtol = tol[0];
        double atol = tol[1];
        List<double[]> evals = new ArrayList<>();
        LBFGS.Closure closure =
                () -> {
                    opt.zeroGrad();
                    double[] p = h.p.data().toDoubleVector();
                    evals.add(p.clone());
                    double[] g = new double[p.length];
                    double loss = f.eval(p, g);
                    h.p.grad().assign(Nd4j.createFromArray(g));
                    return loss;
                };
        JsonArray steps = c.getAsJsonArray("steps");
        for (int s = 0; s < steps.size(); s++) {
            JsonObject st = steps.get(s).getAsJsonObject();
            double ret = opt.step(closure);
            double[] p = h.p.data().toDoubleVector();
            String w = from + ": step " + (s + 1);
            close(w + " params", p, nums(st.getAsJsonArray("params_after")), rtol, atol);
            close(w + " returned loss", ret, st.get("step_return_loss").getAsDouble(), rtol, atol);
            if (atol < 1e-6) {
                // With the loose tolerance of the long Rosenbrock run, f(params) deep in the
                // valley amplifies the allowed drift of the params; the returned losses are
                // checked instead.
                double after = f.eval(p, new double[p.length]);
                close(w + " loss after", after, st.get("loss_after").getAsDouble(), rtol, atol);
            }
            close(w + " func_evals", opt.funcEvals(), st.get("cum_func_evals").getAsLong(), 0, 0);
            close(w + " n_iter", opt.nIter(), st.get("cum_n_iter").getAsLong(), 0, 0);
        }
        JsonArray points = c.getAsJsonArray("closure_eval_points");
        if (evals.size() < points.size()) {
            throw new AssertionError(
                    from
                            + ": "
                            + evals.size()
                            + " closure evaluations but the case records "
                            + points.size());
        }
        for (int i = 0; i < points.size(); i++) {
            close(
                    from + ": closure evaluation " + i,
                    evals.get(i),
                    nums(points.get(i).getAsJsonArray()),
                    rtol,
                    atol);
        }
    }

    private static final Pattern RTOL = Pattern.compile("rtol (\\S+)");
    private static final Pattern ATOL = Pattern.compile("atol (\\S+)");

    /**
     * {rtol, atol} from the case's {@code tolerance_hint} (e.g. "rtol 1e-3 + atol 1e-6 on ..."),
     * else rtol 1e-9; atol defaults to rtol * 1e-6 (well below every recorded value's scale).
     */
    static double[] tolerance(JsonObject c) {
        String hint = c.has("tolerance_hint") ? c.get("tolerance_hint").getAsString() : "";
        Matcher r = RTOL.matcher(hint);
        double rtol = r.find() ? Double.parseDouble(r.group(1)) : 1e-9;
        Matcher a = ATOL.matcher(hint);
        double atol = a.find() ? Double.parseDouble(a.group(1)) : rtol * 1e-6;
        return new double[] {rtol, atol};
    }

    static double rosenbrock(double[] p, double[] g) {
        double a = 1 - p[0];
        double b = p[1] - p[0] * p[0];
        // The same association as the reference's numpy: -2*(1-x) - 400*x*(y-x*x).
        g[0] = -2 * a - 400 * p[0] * b;
        g[1] = 200 * b;
        return a * a + 100 * (b * b);
    }

    static double quadratic(double[] a, double[] c, double[] p, double[] g) {
        if (a.length != p.length || c.length != p.length) {
            throw new IllegalArgumentException(
                    "quadratic: A has "
                            + a.length
                            + " and C "
                            + c.length
                            + " values for "
                            + p.length
                            + " parameters");
        }
        double f = 0;
        for (int i = 0; i < p.length; i++) {
            double d = p[i] - c[i];
            f += 0.5 * a[i] * d * d;
            g[i] = a[i] * d;
        }
        return f;
    }
}
