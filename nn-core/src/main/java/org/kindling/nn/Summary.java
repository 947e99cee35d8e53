package org.kindling.nn;

import java.util.Arrays;
import java.util.Map;

/**
 * A model summary like {@code torchsummary}: one row per layer (nested {@link Sequential}s are
 * expanded) with its key, description, output shape for the given input and parameter count, then
 * the totals.
 */
public final class Summary {
    private Summary() {}

    /**
     * @param model the model
     * @param inputShape shape of a batch, e.g. [1, 3, 32, 32]
     */
    public static String of(Module model, long... inputShape) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        "%-28s %-60s %-20s %12s%n", "Layer", "Type", "Output shape", "Param #"));
        sb.append("-".repeat(123)).append('\n');
        long[] out = rows(model, "", inputShape, sb);
        long total = model.numParameters();
        long trainable =
                model.parameters().stream()
                        .filter(Parameter::requiresGrad)
                        .mapToLong(Parameter::numel)
                        .sum();
        sb.append("-".repeat(123)).append('\n');
        sb.append(
                String.format(
                        "Input shape: %s, output shape: %s%n",
                        Arrays.toString(inputShape), Arrays.toString(out)));
        sb.append(
                String.format(
                        "Total params: %,d%nTrainable params: %,d%nNon-trainable params: %,d%n",
                        total, trainable, total - trainable));
        return sb.toString();
    }

    private static long[] rows(Module m, String prefix, long[] in, StringBuilder sb) {
        if (!(m instanceof Sequential)) {
            long[] out = m.outputShape(in);
            String type = m.describe();
            if (type.length() > 60) type = type.substring(0, 57) + "...";
            sb.append(
                    String.format(
                            "%-28s %-60s %-20s %,12d%n",
                            prefix.isEmpty() ? "(model)" : prefix,
                            type,
                            Arrays.toString(out),
                            m.numParameters()));
            return out;
        }
        long[] s = in;
        for (Map.Entry<String, Module> e : m.namedChildren().entrySet()) {
            s =
                    rows(
                            e.getValue(),
                            prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                            s,
                            sb);
        }
        return s;
    }
}
