package org.kindling.nn.golden;

import static org.kindling.nn.golden.Golden.close;
import static org.kindling.nn.golden.Golden.nums;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.LinkedHashMap;
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
    // The optimizers section does not store its inputs; these are the ones golden.py and the
    // reference README define (p0, the fixed gradients, and the quadratic's A and C). The recorded
    // quadratic losses and gradients are checked below, so a drift here fails the test.
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

    /** Sets one keyword argument on an optimizer. */
    private interface Setter {
        void apply(Optimizer o, JsonElement value);
    }

    /**
     * PyTorch keyword arguments that only pick an implementation variant (or, for {@code maximize},
     * a sign the Java optimizers do not offer): accepted only at this neutral value.
     */
    private static final Map<String, JsonElement> NEUTRAL =
            Map.of(
                    "maximize", new JsonPrimitive(false),
                    "foreach", JsonNull.INSTANCE,
                    "differentiable", new JsonPrimitive(false),
                    "capturable", new JsonPrimitive(false),
                    "fused", new JsonPrimitive(false));

    /**
     * The keyword arguments each optimizer accepts, in the order they are applied (SGD's {@code
     * nesterov} checks the momentum and dampening set before it).
     */
    private static Map<String, Setter> setters(String type) {
        Map<String, Setter> s = new LinkedHashMap<>();
        switch (type) {
            case "SGD" -> {
                // lr is a constructor argument of SGD.
                s.put("lr", (o, v) -> {});
                s.put("momentum", (o, v) -> ((SGD) o).momentum(v.getAsDouble()));
                s.put("dampening", (o, v) -> ((SGD) o).dampening(v.getAsDouble()));
                s.put("weight_decay", (o, v) -> ((SGD) o).weightDecay(v.getAsDouble()));
                s.put("nesterov", (o, v) -> ((SGD) o).nesterov(v.getAsBoolean()));
            }
            case "Adam", "AdamW" -> {
                s.put("lr", (o, v) -> ((Adam) o).lr(v.getAsDouble()));
                s.put(
                        "betas",
                        (o, v) -> {
                            double[] b = nums(v.getAsJsonArray());
                            if (b.length != 2) {
                                throw new IllegalArgumentException(
                                        "betas must have 2 values but has " + b.length);
                            }
                            ((Adam) o).betas(b[0], b[1]);
                        });
                s.put("eps", (o, v) -> ((Adam) o).eps(v.getAsDouble()));
                s.put("weight_decay", (o, v) -> ((Adam) o).weightDecay(v.getAsDouble()));
                s.put("amsgrad", (o, v) -> ((Adam) o).amsgrad(v.getAsBoolean()));
            }
            case "RMSprop" -> {
                s.put("lr", (o, v) -> ((RMSprop) o).lr(v.getAsDouble()));
                s.put("alpha", (o, v) -> ((RMSprop) o).alpha(v.getAsDouble()));
                s.put("eps", (o, v) -> ((RMSprop) o).eps(v.getAsDouble()));
                s.put("weight_decay", (o, v) -> ((RMSprop) o).weightDecay(v.getAsDouble()));
                s.put("momentum", (o, v) -> ((RMSprop) o).momentum(v.getAsDouble()));
                s.put("centered", (o, v) -> ((RMSprop) o).centered(v.getAsBoolean()));
            }
            case "Adagrad" -> {
                s.put("lr", (o, v) -> ((Adagrad) o).lr(v.getAsDouble()));
                s.put("lr_decay", (o, v) -> ((Adagrad) o).lrDecay(v.getAsDouble()));
                s.put("eps", (o, v) -> ((Adagrad) o).eps(v.getAsDouble()));
                s.put("weight_decay", (o, v) -> ((Adagrad) o).weightDecay(v.getAsDouble()));
                s.put(
                        "initial_accumulator_value",
                        (o, v) -> ((Adagrad) o).initialAccumulatorValue(v.getAsDouble()));
            }
            case "Adadelta" -> {
                s.put("lr", (o, v) -> ((Adadelta) o).lr(v.getAsDouble()));
                s.put("rho", (o, v) -> ((Adadelta) o).rho(v.getAsDouble()));
                s.put("eps", (o, v) -> ((Adadelta) o).eps(v.getAsDouble()));
                s.put("weight_decay", (o, v) -> ((Adadelta) o).weightDecay(v.getAsDouble()));
            }
            default -> throw new IllegalArgumentException("no optimizer " + type);
        }
        return s;
    }

    /**
     * The optimizer {@code type} with every keyword argument of {@code kw} applied.
     *
     * @throws IllegalArgumentException naming the argument if {@code kw} has one the Java optimizer
     *     cannot apply (so a golden case never runs with silently ignored settings)
     */
    static Optimizer build(String type, JsonObject kw, Module m) {
        Map<String, Setter> setters = setters(type);
        for (String k : kw.keySet()) {
            if (setters.containsKey(k)) continue;
            if (NEUTRAL.containsKey(k) && NEUTRAL.get(k).equals(kw.get(k))) continue;
            throw new IllegalArgumentException(
                    type
                            + " keyword argument "
                            + k
                            + "="
                            + kw.get(k)
                            + " cannot be applied by the Java optimizer; it accepts "
                            + setters.keySet()
                            + (NEUTRAL.containsKey(k)
                                    ? " and " + k + "=" + NEUTRAL.get(k) + " only"
                                    : ""));
        }
        Optimizer o;
        if (type.equals("SGD")) {
            if (!kw.has("lr")) {
                throw new IllegalArgumentException("SGD needs the keyword argument lr");
            }
            o = new SGD(m, kw.get("lr").getAsDouble());
        } else {
            o =
                    switch (type) {
                        case "Adam" -> new Adam(m);
                        case "AdamW" -> new AdamW(m);
                        case "RMSprop" -> new RMSprop(m);
                        case "Adagrad" -> new Adagrad(m);
                        default -> new Adadelta(m);
                    };
        }
        for (Map.Entry<String, Setter> e : setters.entrySet()) {
            if (kw.has(e.getKey())) e.getValue().apply(o, kw.get(e.getKey()));
        }
        return o;
    }

    /**
     * Runs a case twice: with its {@code kwargs} (so the Java defaults are checked too) and with
     * its {@code hyperparams}, every setting PyTorch used ({@code param_groups[0]}), applied
     * explicitly.
     */
    static void check(JsonObject c) {
        run(c, c.getAsJsonObject("kwargs"), "kwargs");
        if (c.has("hyperparams")) {
            run(c, c.getAsJsonObject("hyperparams"), "hyperparams");
        }
    }

    private static void run(JsonObject c, JsonObject kw, String from) {
        String type = c.get("optimizer").getAsString();
        JsonObject fixed = c.getAsJsonObject("fixed_grads");
        Holder h = new Holder(P0);
        Optimizer opt = build(type, kw, h);
        JsonArray traj = fixed.getAsJsonArray("params_after_step");
        if (traj.size() > FIXED.length) {
            throw new IllegalArgumentException(
                    "fixed_grads has "
                            + traj.size()
                            + " steps but only "
                            + FIXED.length
                            + " gradients are known");
        }
        for (int s = 0; s < traj.size(); s++) {
            h.p.grad().assign(Nd4j.createFromArray(FIXED[s]));
            opt.step();
            close(
                    from + ": fixed_grads step " + (s + 1),
                    h.p.data().toDoubleVector(),
                    nums(traj.get(s).getAsJsonArray()),
                    1e-12,
                    1e-15);
        }
        state(from + ": fixed_grads", opt, fixed.getAsJsonObject("final_state"));

        JsonObject quad = c.getAsJsonObject("quadratic");
        Holder q = new Holder(P0);
        Optimizer qo = build(type, kw, q);
        int quadSteps = quad.getAsJsonArray("params_after_step").size();
        for (int s = 0; s < quadSteps; s++) {
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
                    from + ": quadratic step " + (s + 1),
                    q.p.data().toDoubleVector(),
                    nums(quad.getAsJsonArray("params_after_step").get(s).getAsJsonArray()),
                    1e-12,
                    1e-15);
        }
        state(from + ": quadratic", qo, quad.getAsJsonObject("final_state"));
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
