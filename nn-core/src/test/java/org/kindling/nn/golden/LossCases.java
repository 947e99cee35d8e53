package org.kindling.nn.golden;

import static org.kindling.nn.golden.Golden.close;
import static org.kindling.nn.golden.Golden.tensor;

import com.google.gson.JsonObject;
import org.kindling.nn.Tensor;
import org.kindling.nn.loss.CrossEntropyLoss;
import org.kindling.nn.loss.L1Loss;
import org.kindling.nn.loss.Loss;
import org.kindling.nn.loss.MSELoss;
import org.kindling.nn.loss.Reduction;

/** The {@code losses} section: value and d loss / d input (rtol 1e-12). */
final class LossCases {
    private LossCases() {}

    static void check(JsonObject c) {
        String name = c.get("name").getAsString();
        Reduction r = Reduction.parse(c.get("reduction").getAsString());
        Loss loss;
        if (name.startsWith("L1Loss")) {
            loss = new L1Loss(r);
        } else if (name.startsWith("MSELoss")) {
            loss = new MSELoss(r);
        } else {
            CrossEntropyLoss ce = new CrossEntropyLoss().reduction(r);
            if (c.has("weight") && c.get("weight").isJsonObject()) {
                ce.weight(tensor(c.getAsJsonObject("weight")).toDoubleVector());
            }
            if (c.has("ignore_index")) ce.ignoreIndex(c.get("ignore_index").getAsLong());
            if (c.has("label_smoothing")) ce.labelSmoothing(c.get("label_smoothing").getAsDouble());
            loss = ce;
        }
        Tensor x = Tensor.requiringGrad(tensor(c.getAsJsonObject("input")));
        Tensor out = loss.forward(x, tensor(c.getAsJsonObject("target")));
        close("output", out.data(), tensor(c.getAsJsonObject("output")), 1e-12, 1e-15);
        if (r == Reduction.NONE) {
            out.backward(out.data().ulike().assign(1));
        } else {
            out.backward();
        }
        close("grad_input", x.grad(), tensor(c.getAsJsonObject("grad_input")), 1e-12, 1e-15);
    }
}
