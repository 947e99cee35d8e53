package org.kindling.nn.golden;

import static org.kindling.nn.golden.Golden.checksum;
import static org.kindling.nn.golden.Golden.close;
import static org.kindling.nn.golden.Golden.tensor;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kindling.nn.Module;
import org.kindling.nn.Parameter;
import org.kindling.nn.Sequential;
import org.kindling.nn.Tensor;
import org.kindling.nn.io.StateDict;
import org.kindling.nn.loss.CrossEntropyLoss;
import org.kindling.nn.models.CifarNet;
import org.kindling.nn.optim.SGD;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@code end_to_end} section: the course net with PyTorch's weights, one SGD step and three
 * more.
 */
final class EndToEnd {
    private EndToEnd() {}

    /**
     * The course's {@code Tudui}: {@code self.model = nn.Sequential(...)}, keys {@code
     * model.0.weight}.
     */
    static final class Tudui extends Module {
        final Sequential model = CifarNet.create();

        Tudui() {
            addModule("model", model);
        }

        @Override
        public Tensor forward(Tensor x) {
            return model.forward(x);
        }

        @Override
        public long[] outputShape(long[] in) {
            return model.outputShape(in);
        }

        @Override
        protected String describe() {
            return "Tudui";
        }
    }

    static void check(JsonObject e, GoldenParityTest.Runner r) {
        Map<String, INDArray> weights = new LinkedHashMap<>();
        JsonObject w = e.getAsJsonObject("weights");
        for (String k : w.keySet()) weights.put(k, tensor(w.getAsJsonObject(k)));
        INDArray input = tensor(e.getAsJsonObject("input"));
        INDArray target = tensor(e.getAsJsonObject("target"));
        r.one(
                "end_to_end",
                "weights and input checksums",
                () -> {
                    for (String k : weights.keySet())
                        checksum(
                                k,
                                weights.get(k),
                                e.getAsJsonObject("weights_checksums").getAsJsonObject(k),
                                1e-12);
                    checksum("input", input, e.getAsJsonObject("input_checksum"), 1e-12);
                });
        run("float64", DataType.DOUBLE, 1e-10, e, weights, input, target, r);
        run("float32", DataType.FLOAT, 1e-5, e, weights, input, target, r);
    }

    private static void run(
            String key,
            DataType type,
            double tol,
            JsonObject e,
            Map<String, INDArray> weights,
            INDArray input,
            INDArray target,
            GoldenParityTest.Runner r) {
        JsonObject exp = e.getAsJsonObject(key);
        Tudui net = new Tudui();
        net.to(type);
        StateDict.load(net, weights, true);
        SGD opt = new SGD(net, e.getAsJsonObject("optimizer").get("lr").getAsDouble());
        INDArray x = input.castTo(type);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        Map<String, INDArray> before = StateDict.of(net);

        r.one(
                "end_to_end",
                key + " activations",
                () -> {
                    JsonArray rows = exp.getAsJsonArray("activation_checksums");
                    Tensor h = Tensor.of(x);
                    for (int i = 0; i < net.model.size(); i++) {
                        h = net.model.get(i).forward(h);
                        checksum(
                                key + " after layer " + i,
                                h.data(),
                                rows.get(i).getAsJsonObject(),
                                tol);
                    }
                });
        opt.zeroGrad();
        Tensor logits = net.forward(Tensor.of(x));
        Tensor loss = ce.forward(logits, target);
        r.one(
                "end_to_end",
                key + " logits and loss",
                () -> {
                    close(
                            key + " logits",
                            logits.data(),
                            tensor(exp.getAsJsonObject("logits")),
                            tol,
                            tol * 0.1);
                    close(key + " loss", loss.item(), exp.get("loss").getAsDouble(), tol, 0);
                });
        loss.backward();
        Map<String, Parameter> params = net.namedParameters();
        r.one(
                "end_to_end",
                key + " gradients",
                () -> {
                    JsonObject gc = exp.getAsJsonObject("grad_checksums");
                    for (String k : gc.keySet())
                        checksum(
                                key + " grad " + k,
                                params.get(k).grad(),
                                gc.getAsJsonObject(k),
                                tol);
                    JsonObject full = exp.getAsJsonObject("grads_full_small_tensors");
                    for (String k : full.keySet()) {
                        INDArray expected = tensor(full.getAsJsonObject(k));
                        double scale =
                                expected.castTo(DataType.DOUBLE).norm2Number().doubleValue()
                                        / Math.sqrt(expected.length());
                        close(key + " grad " + k, params.get(k).grad(), expected, tol, tol * scale);
                    }
                });
        opt.step();
        r.one(
                "end_to_end",
                key + " SGD update",
                () -> {
                    JsonObject uw = exp.getAsJsonObject("updated_weight_checksums");
                    JsonObject ud = exp.getAsJsonObject("update_delta_checksums");
                    for (String k : uw.keySet()) {
                        checksum(
                                key + " updated " + k,
                                params.get(k).data(),
                                uw.getAsJsonObject(k),
                                tol);
                        INDArray delta =
                                params.get(k)
                                        .data()
                                        .castTo(DataType.DOUBLE)
                                        .sub(before.get(k).castTo(DataType.DOUBLE));
                        checksum(
                                key + " delta " + k,
                                delta,
                                ud.getAsJsonObject(k),
                                type == DataType.FLOAT ? 1e-3 : tol);
                    }
                });
        r.one(
                "end_to_end",
                key + " three more steps",
                () -> {
                    JsonArray losses = exp.getAsJsonArray("loss_before_steps_2_3_4");
                    for (int s = 0; s < 3; s++) {
                        opt.zeroGrad();
                        Tensor l = ce.forward(net.forward(Tensor.of(x)), target);
                        close(
                                key + " loss before step " + (s + 2),
                                l.item(),
                                losses.get(s).getAsDouble(),
                                tol,
                                0);
                        l.backward();
                        opt.step();
                    }
                });
    }
}
