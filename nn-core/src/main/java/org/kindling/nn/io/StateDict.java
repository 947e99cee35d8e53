package org.kindling.nn.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kindling.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code model.state_dict()} and {@code model.load_state_dict(sd, strict)} with PyTorch's keys. */
public final class StateDict {
    private StateDict() {}

    /**
     * Copies of every parameter and buffer, keyed and ordered like PyTorch ({@code 0.weight},
     * {@code 1.running_mean}, ...).
     */
    public static Map<String, INDArray> of(Module model) {
        Map<String, INDArray> sd = new LinkedHashMap<>();
        model.stateEntries().forEach((k, v) -> sd.put(k, v.dup('c')));
        return sd;
    }

    /** Keys the model expects but the state dict lacks, and keys it has that the model lacks. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}

    /**
     * Copies matching entries into the model's parameters (converting the data type).
     *
     * @param strict if true, any missing or unexpected key fails
     * @throws IllegalArgumentException listing every missing, unexpected or mis-shaped key
     */
    public static LoadResult load(Module model, Map<String, INDArray> sd, boolean strict) {
        Map<String, INDArray> params = model.stateEntries();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            INDArray v = sd.get(e.getKey());
            if (v == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(v.shape(), e.getValue().shape())) {
                wrongShape.add(
                        e.getKey()
                                + ": file has "
                                + Arrays.toString(v.shape())
                                + ", model has "
                                + Arrays.toString(e.getValue().shape()));
            }
        }
        for (String k : sd.keySet()) {
            if (!params.containsKey(k)) {
                unexpected.add(k);
            }
        }
        if (!wrongShape.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            StringBuilder sb = new StringBuilder("Error(s) in loading state_dict:");
            if (!missing.isEmpty()) sb.append(" missing keys ").append(missing).append(';');
            if (!unexpected.isEmpty())
                sb.append(" unexpected keys ").append(unexpected).append(';');
            if (!wrongShape.isEmpty())
                sb.append(" size mismatch for ").append(wrongShape).append(';');
            throw new IllegalArgumentException(sb.toString());
        }
        params.forEach(
                (k, p) -> {
                    INDArray v = sd.get(k);
                    if (v != null) {
                        p.assign(v.castTo(p.dataType()));
                    }
                });
        return new LoadResult(missing, unexpected);
    }
}
