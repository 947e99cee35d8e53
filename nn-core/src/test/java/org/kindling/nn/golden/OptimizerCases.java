package org.kindling.nn.golden;

import static org.kindling.nn.golden.Golden.close;
import static org.kindling.nn.golden.Golden.nums;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Map;
import org.kindling.nn.Module;
import org.kindling.nn.Parameter;
import org.kindling.nn.Tensor;
import org.kindling.nn.optim.Adadelta;
import org.kindling.nn.optim.Adagrad;
import org.kindling.nn.optim.Adam;
import org.kindling.nn.optim.AdamW;
import org.kindling.nn.optim.Optimizer;
import org.kindling.nn.optim.RMSprop;
import org.kindling.nn.optim.SGD;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The {@code optimizers} section: trajectories and final state (rtol 1e-12). */
final class OptimizerCases {
    static final double[] P0 = {1, -2, 3, -0.5};
    static final double[] A = {1, 4, 0.5, 2};
    static final double[] C = {0.5, 1, -1, 0};
    static final double[][] FIXED = {
        {1, -2, 0.5, 3}, {0.1, -0.5, 2, -0.2}, {-0.7, 0.3, -1.5, 0.05}
    };

    private OptimizerCases() {}

    /** A module holding one parameter vector {@code p}. */
    static final class Holder extends Module {
        final Parameter p;

        Holder(double[] v) {
            p = registerParameter("p", Nd4j.createFromArray(v.clone()));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }

        @Override
        public long[] outputShape(long[] in) {
            return in;
        }

        @Override
        protected String describe() {
            return "Holder";
        }
    }

    static Optimizer build(String type, JsonObject kw, Module m) {
        double lr = kw.has("lr") ? kw.get("lr").getAsDouble() : Double.NaN;
        double wd = kw.has("weight_decay") ? kw.get("weight_decay").getAsDouble() : 0;
        switch (type) {
            case "SGD":
                {
                    SGD o = new SGD(m, lr);
                    if (kw.has("momentum")) o.momentum(kw.get("momentum").getAsDouble());
                    if (kw.has("dampening")) o.dampening(kw.get("dampening").getAsDouble());
                    if (kw.has("nesterov")) o.nesterov(kw.get("nesterov").getAsBoolean());
                    return o.weightDecay(wd);
                }
            case "Adam":
            case "AdamW":
                {
                    Adam o = type.equals("Adam") ? new Adam(m) : new AdamW(m);
                    if (kw.has("lr")) o.lr(lr);
                    if (kw.has("weight_decay")) o.weightDecay(wd);
                    if (kw.has("amsgrad")) o.amsgrad(kw.get("amsgrad").getAsBoolean());
                    return o;
                }
            case "RMSprop":
                {
                    RMSprop o = new RMSprop(m);
                    if (kw.has("lr")) o.lr(lr);
                    if (kw.has("momentum")) o.momentum(kw.get("momentum").getAsDouble());
                    if (kw.has("centered")) o.centered(kw.get("centered").getAsBoolean());
                    return o.weightDecay(wd);
                }
            case "Adagrad":
                {
                    Adagrad o = new Adagrad(m);
                    if (kw.has("lr")) o.lr(lr);
                    if (kw.has("lr_decay")) o.lrDecay(kw.get("lr_decay").getAsDouble());
                    if (kw.has("initial_accumulator_value"))
                        o.initialAccumulatorValue(
                                kw.get("initial_accumulator_value").getAsDouble());
                    return o.weightDecay(wd);
                }
            case "Adadelta":
                {
                    Adadelta o = new Adadelta(m);
                    if (kw.has("lr")) o.lr(lr);
                    if (kw.has("rho")) o.rho(kw.get("rho").getAsDouble());
                    return o.weightDecay(wd);
                }
            default:
                throw new IllegalArgumentException("no optimizer " + type);
        }
    }

    static void check(JsonObject c) {
        String type = c.get("optimizer").getAsString();
        JsonObject kw = c.getAsJsonObject("kwargs");
        JsonObject fixed = c.getAsJsonObject("fixed_grads");
        Holder h = new Holder(P0);
        Optimizer opt = build(type, kw, h);
        JsonArray traj = fixed.getAsJsonArray("params_after_step");
        for (int s = 0; s < FIXED.length; s++) {
            h.p.grad().assign(Nd4j.createFromArray(FIXED[s]));
            opt.step();
            close(
                    "fixed_grads step " + (s + 1),
                    h.p.data().toDoubleVector(),
                    nums(traj.get(s).getAsJsonArray()),
                    1e-12,
                    1e-15);
        }
        state("fixed_grads", opt, fixed.getAsJsonObject("final_state"));

        JsonObject quad = c.getAsJsonObject("quadratic");
        Holder q = new Holder(P0);
        Optimizer qo = build(type, kw, q);
        for (int s = 0; s < 3; s++) {
            qo.zeroGrad();
            double[] p = q.p.data().toDoubleVector();
            double loss = 0;
            double[] g = new double[4];
            for (int i = 0; i < 4; i++) {
                loss += 0.5 * A[i] * (p[i] - C[i]) * (p[i] - C[i]);
                g[i] = A[i] * (p[i] - C[i]);
            }
            close(
                    "quadratic loss before step " + (s + 1),
                    loss,
                    quad.getAsJsonArray("loss_before_step").get(s).getAsDouble(),
                    1e-12,
                    0);
            close(
                    "quadratic grad before step " + (s + 1),
                    g,
                    nums(quad.getAsJsonArray("grad_before_step").get(s).getAsJsonArray()),
                    1e-12,
                    1e-15);
            q.p.grad().assign(Nd4j.createFromArray(g));
            qo.step();
            close(
                    "quadratic step " + (s + 1),
                    q.p.data().toDoubleVector(),
                    nums(quad.getAsJsonArray("params_after_step").get(s).getAsJsonArray()),
                    1e-12,
                    1e-15);
        }
        state("quadratic", qo, quad.getAsJsonObject("final_state"));
    }

    private static void state(String what, Optimizer opt, JsonObject expected) {
        Map<String, INDArray> actual = opt.namedState();
        for (String k : expected.keySet()) {
            if (expected.get(k).isJsonNull()) continue;
            INDArray a = actual.get(k);
            if (a == null)
                throw new AssertionError(
                        what + " state has no '" + k + "'; has " + actual.keySet());
            double[] e =
                    expected.get(k).isJsonArray()
                            ? nums(expected.getAsJsonArray(k))
                            : new double[] {expected.get(k).getAsDouble()};
            close(what + " state " + k, a.toDoubleVector(), e, 1e-12, 1e-15);
        }
    }
}
