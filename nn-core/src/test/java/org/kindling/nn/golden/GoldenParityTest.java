package org.kindling.nn.golden;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kindling.nn.golden.Golden.close;
import static org.kindling.nn.golden.Golden.exact;
import static org.kindling.nn.golden.Golden.pair;
import static org.kindling.nn.golden.Golden.tensor;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.kindling.nn.Conv2d;
import org.kindling.nn.Flatten;
import org.kindling.nn.Linear;
import org.kindling.nn.MaxPool2d;
import org.kindling.nn.Module;
import org.kindling.nn.ReLU;
import org.kindling.nn.Sigmoid;
import org.kindling.nn.Tensor;
import org.kindling.nn.functional.F;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Every case of every section of PyTorch's golden.json against nn-core, with the tolerances of the
 * reference README. The file comes from {@code -Dkindling.golden=PATH}.
 */
class GoldenParityTest {
    private final Map<String, int[]> counts = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();

    @Test
    void everyCaseOfEverySectionMatchesPyTorch() throws Exception {
        JsonObject g = Golden.load();
        Map<String, Consumer<JsonElement>> sections = new LinkedHashMap<>();
        sections.put("conv2d_course", e -> each("conv2d_course", e, this::convCourse));
        sections.put("maxpool_course", e -> each("maxpool_course", e, this::maxpoolCourse));
        sections.put("conv2d_random", e -> each("conv2d_random", e, this::convRandom));
        sections.put("maxpool_random", e -> each("maxpool_random", e, this::maxpoolRandom));
        sections.put("activations", e -> activations(e.getAsJsonObject()));
        sections.put("flatten", e -> one("flatten", "flatten", () -> flatten(e.getAsJsonObject())));
        sections.put("linear", e -> each("linear", e, this::linear));
        sections.put("losses", e -> each("losses", e, LossCases::check));
        sections.put("optimizers", e -> each("optimizers", e, OptimizerCases::check));
        sections.put("lbfgs", e -> each("lbfgs", e, LbfgsCases::check));
        sections.put("end_to_end", e -> EndToEnd.check(e.getAsJsonObject(), this::one));
        for (String key : g.keySet()) {
            if (key.equals("meta")) continue;
            Consumer<JsonElement> checker = sections.get(key);
            if (checker == null) {
                failures.add(key + ": section has no checker in GoldenParityTest");
                counts.put(key, new int[] {0, 0});
                continue;
            }
            counts.putIfAbsent(key, new int[2]);
            checker.accept(g.get(key));
        }
        StringBuilder report = new StringBuilder("golden parity (" + Golden.path() + "):\n");
        counts.forEach(
                (k, v) ->
                        report.append(
                                String.format("  %-16s %4d checked, %d failed%n", k, v[0], v[1])));
        System.out.print(report);
        for (String s : sections.keySet()) {
            if (!counts.containsKey(s) || counts.get(s)[0] == 0) {
                failures.add(s + ": no case checked");
            }
        }
        assertTrue(failures.isEmpty(), report + "failures:\n  " + String.join("\n  ", failures));
    }

    interface Check {
        void run() throws Exception;
    }

    /** Runs one named check of a section, counting it and recording a failure. */
    interface Runner {
        void one(String section, String name, Check c);
    }

    private void one(String section, String name, Check c) {
        int[] n = counts.computeIfAbsent(section, k -> new int[2]);
        n[0]++;
        try {
            c.run();
        } catch (Throwable t) {
            n[1]++;
            failures.add(section + "/" + name + ": " + t);
        }
    }

    private void each(String section, JsonElement cases, Consumer<JsonObject> check) {
        for (JsonElement c : cases.getAsJsonArray()) {
            JsonObject o = c.getAsJsonObject();
            one(section, o.get("name").getAsString(), () -> check.accept(o));
        }
    }

    private static final DataType[] BOTH = {DataType.DOUBLE, DataType.FLOAT};

    private void convCourse(JsonObject c) {
        for (DataType t : BOTH) {
            int s = c.get("stride").getAsInt();
            int p = c.get("padding").getAsInt();
            Tensor y =
                    F.conv2d(
                            Tensor.of(tensor(c.getAsJsonObject("input")).castTo(t)),
                            Tensor.of(tensor(c.getAsJsonObject("weight")).castTo(t)),
                            null,
                            new int[] {s, s},
                            new int[] {p, p},
                            new int[] {1, 1},
                            1);
            exact("output " + t, y.data(), tensor(c.getAsJsonObject("output")));
        }
    }

    private void maxpoolCourse(JsonObject c) {
        int[] k = pair(c.get("kernel_size"));
        MaxPool2d pool =
                MaxPool2d.of(k[0], k[1])
                        .stride(pair(c.get("stride"))[0], pair(c.get("stride"))[1])
                        .padding(pair(c.get("padding"))[0], pair(c.get("padding"))[1])
                        .dilation(pair(c.get("dilation"))[0])
                        .ceilMode(c.get("ceil_mode").getAsBoolean())
                        .returnIndices(true);
        exact(
                "output",
                pool.forward(tensor(c.getAsJsonObject("input"))),
                tensor(c.getAsJsonObject("output")));
        exact("indices", pool.lastIndices(), tensor(c.getAsJsonObject("indices")));
    }

    private void convRandom(JsonObject c) {
        JsonObject p = c.getAsJsonObject("params");
        int[] k = pair(p.get("kernel_size"));
        Conv2d.Options o =
                Conv2d.options(
                                p.get("in_channels").getAsInt(),
                                p.get("out_channels").getAsInt(),
                                k[0],
                                k[1])
                        .stride(pair(p.get("stride"))[0], pair(p.get("stride"))[1])
                        .dilation(pair(p.get("dilation"))[0], pair(p.get("dilation"))[1])
                        .groups(p.get("groups").getAsInt())
                        .bias(p.get("bias").getAsBoolean())
                        .paddingMode(p.get("padding_mode").getAsString());
        JsonElement pad = p.get("padding");
        if (pad.isJsonPrimitive() && pad.getAsJsonPrimitive().isString()) {
            o.padding(pad.getAsString());
        } else {
            o.padding(pair(pad)[0], pair(pad)[1]);
        }
        for (DataType t : BOTH) {
            Conv2d conv = o.build();
            conv.to(t);
            conv.weight().copyFrom(tensor(c.getAsJsonObject("weight")));
            if (conv.bias() != null) conv.bias().copyFrom(tensor(c.getAsJsonObject("bias")));
            Tensor x = Tensor.requiringGrad(tensor(c.getAsJsonObject("input")).castTo(t));
            Tensor y = conv.forward(x);
            exact("output " + t, y.data(), tensor(c.getAsJsonObject("output")));
            y.backward(tensor(c.getAsJsonObject("grad_output")).castTo(t));
            exact("grad_input " + t, x.grad(), tensor(c.getAsJsonObject("grad_input")));
            exact(
                    "grad_weight " + t,
                    conv.weight().grad(),
                    tensor(c.getAsJsonObject("grad_weight")));
            if (conv.bias() != null) {
                exact("grad_bias " + t, conv.bias().grad(), tensor(c.getAsJsonObject("grad_bias")));
            }
        }
    }

    private void maxpoolRandom(JsonObject c) {
        JsonObject p = c.getAsJsonObject("params");
        int[] k = pair(p.get("kernel_size"));
        int[] s = pair(p.get("stride"));
        int[] pad = pair(p.get("padding"));
        for (DataType t : BOTH) {
            for (boolean indices : new boolean[] {true, false}) {
                MaxPool2d pool =
                        MaxPool2d.of(k[0], k[1])
                                .stride(s[0], s[1])
                                .padding(pad[0], pad[1])
                                .dilation(pair(p.get("dilation"))[0])
                                .ceilMode(p.get("ceil_mode").getAsBoolean())
                                .returnIndices(indices);
                Tensor x = Tensor.requiringGrad(tensor(c.getAsJsonObject("input")).castTo(t));
                Tensor y = pool.forward(x);
                String what = t + (indices ? " with indices" : " without indices");
                exact("output " + what, y.data(), tensor(c.getAsJsonObject("output")));
                if (indices)
                    exact(
                            "indices " + what,
                            pool.lastIndices(),
                            tensor(c.getAsJsonObject("indices")));
                if (c.has("grad_output")) {
                    y.backward(tensor(c.getAsJsonObject("grad_output")).castTo(t));
                    exact("grad_input " + what, x.grad(), tensor(c.getAsJsonObject("grad_input")));
                }
            }
        }
    }

    private void activations(JsonObject a) {
        for (String name : new String[] {"relu", "sigmoid"}) {
            one(
                    "activations",
                    name,
                    () -> {
                        JsonObject c = a.getAsJsonObject(name);
                        Module m = name.equals("relu") ? new ReLU() : new Sigmoid();
                        double rtol = name.equals("relu") ? 0 : 1e-12;
                        Tensor x = Tensor.requiringGrad(tensor(a.getAsJsonObject("input")));
                        Tensor y = m.forward(x);
                        close(
                                name + " output",
                                y.data(),
                                tensor(c.getAsJsonObject("output")),
                                rtol,
                                0);
                        y.backward(tensor(a.getAsJsonObject("grad_output")));
                        close(
                                name + " grad_input",
                                x.grad(),
                                tensor(c.getAsJsonObject("grad_input")),
                                rtol,
                                0);
                    });
        }
    }

    private void flatten(JsonObject c) {
        exact(
                "output",
                new Flatten().forward(tensor(c.getAsJsonObject("input"))),
                tensor(c.getAsJsonObject("output")));
    }

    private void linear(JsonObject c) {
        JsonObject p = c.getAsJsonObject("params");
        for (DataType t : BOTH) {
            Linear lin =
                    new Linear(
                            p.get("in_features").getAsInt(),
                            p.get("out_features").getAsInt(),
                            p.get("bias").getAsBoolean());
            lin.to(t);
            lin.weight().copyFrom(tensor(c.getAsJsonObject("weight")));
            if (lin.bias() != null) lin.bias().copyFrom(tensor(c.getAsJsonObject("bias")));
            Tensor x = Tensor.requiringGrad(tensor(c.getAsJsonObject("input")).castTo(t));
            Tensor y = lin.forward(x);
            exact("output " + t, y.data(), tensor(c.getAsJsonObject("output")));
            y.backward(tensor(c.getAsJsonObject("grad_output")).castTo(t));
            exact("grad_input " + t, x.grad(), tensor(c.getAsJsonObject("grad_input")));
            exact(
                    "grad_weight " + t,
                    lin.weight().grad(),
                    tensor(c.getAsJsonObject("grad_weight")));
            if (lin.bias() != null)
                exact("grad_bias " + t, lin.bias().grad(), tensor(c.getAsJsonObject("grad_bias")));
        }
    }
}
