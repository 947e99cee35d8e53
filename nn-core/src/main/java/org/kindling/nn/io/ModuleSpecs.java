package org.kindling.nn.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Map;
import org.kindling.nn.AdaptiveAvgPool2d;
import org.kindling.nn.AvgPool2d;
import org.kindling.nn.BatchNorm2d;
import org.kindling.nn.Conv2d;
import org.kindling.nn.Dropout;
import org.kindling.nn.Flatten;
import org.kindling.nn.Identity;
import org.kindling.nn.Linear;
import org.kindling.nn.LogSoftmax;
import org.kindling.nn.MaxPool2d;
import org.kindling.nn.Module;
import org.kindling.nn.ReLU;
import org.kindling.nn.Sequential;
import org.kindling.nn.Sigmoid;
import org.kindling.nn.Softmax;
import org.kindling.nn.models.BasicBlock;
import org.kindling.nn.models.Tudui;

/**
 * The readable architecture spec of a model archive: a module tree as JSON, {@code {"type":
 * "Conv2d", "config": {...}}} for layers and {@code {"type": "Sequential", "children": {"0": ...,
 * "classifier": ...}}} for containers. Only Kindling's own module types can be written or built; a
 * file naming any other type is rejected (no class named by a file is ever loaded).
 */
public final class ModuleSpecs {
    private ModuleSpecs() {}

    /**
     * The spec of {@code m}.
     *
     * @throws IllegalArgumentException for a module type that is not one of Kindling's own
     */
    public static JsonObject toJson(Module m) {
        String type = m.getClass().getSimpleName();
        if (!m.getClass().getPackageName().startsWith("org.kindling.nn") || !known(type)) {
            throw new IllegalArgumentException(
                    "cannot describe module type "
                            + m.getClass().getName()
                            + " in a model archive (only Kindling's module types can be rebuilt); save its parameters only");
        }
        JsonObject o = new JsonObject();
        o.addProperty("type", type);
        if (m instanceof Sequential || m instanceof Tudui) {
            JsonObject children = new JsonObject();
            for (Map.Entry<String, Module> e : m.namedChildren().entrySet()) {
                children.add(e.getKey(), toJson(e.getValue()));
            }
            o.add("children", children);
        } else {
            o.add("config", m.configJson());
        }
        return o;
    }

    /**
     * Builds the module tree described by {@code spec} (parameters freshly initialised).
     *
     * @throws IllegalArgumentException naming the path in the tree and the problem
     */
    public static Module fromJson(JsonObject spec) {
        return build(spec, "model");
    }

    private static boolean known(String type) {
        switch (type) {
            case "Sequential":
            case "Tudui":
            case "Conv2d":
            case "MaxPool2d":
            case "AvgPool2d":
            case "AdaptiveAvgPool2d":
            case "ReLU":
            case "Sigmoid":
            case "Flatten":
            case "Linear":
            case "BatchNorm2d":
            case "Dropout":
            case "Identity":
            case "Softmax":
            case "LogSoftmax":
            case "BasicBlock":
                return true;
            default:
                return false;
        }
    }

    private static Module build(JsonObject spec, String path) {
        String type = spec.has("type") ? spec.get("type").getAsString() : null;
        if (type == null || !known(type)) {
            throw new IllegalArgumentException(
                    path
                            + ": unknown module type "
                            + (type == null ? "(missing)" : "'" + type + "'"));
        }
        try {
            if (type.equals("Sequential") || type.equals("Tudui")) {
                Module m = type.equals("Sequential") ? new Sequential() : new Tudui();
                for (Map.Entry<String, JsonElement> e :
                        spec.getAsJsonObject("children").entrySet()) {
                    m.addModule(
                            e.getKey(),
                            build(e.getValue().getAsJsonObject(), path + "." + e.getKey()));
                }
                return m;
            }
            JsonObject c = spec.has("config") ? spec.getAsJsonObject("config") : new JsonObject();
            switch (type) {
                case "Conv2d":
                    {
                        int[] k = pair(c, "kernel_size");
                        Conv2d.Options o =
                                Conv2d.options(
                                        i(c, "in_channels"), i(c, "out_channels"), k[0], k[1]);
                        o.stride(pair(c, "stride")[0], pair(c, "stride")[1]);
                        if (c.get("padding").isJsonPrimitive()
                                && c.get("padding").getAsJsonPrimitive().isString()) {
                            o.padding(c.get("padding").getAsString());
                        } else {
                            o.padding(pair(c, "padding")[0], pair(c, "padding")[1]);
                        }
                        return o.dilation(pair(c, "dilation")[0], pair(c, "dilation")[1])
                                .groups(i(c, "groups"))
                                .bias(c.get("bias").getAsBoolean())
                                .paddingMode(c.get("padding_mode").getAsString())
                                .build();
                    }
                case "MaxPool2d":
                    {
                        int[] k = pair(c, "kernel_size");
                        return MaxPool2d.of(k[0], k[1])
                                .stride(pair(c, "stride")[0], pair(c, "stride")[1])
                                .padding(pair(c, "padding")[0], pair(c, "padding")[1])
                                .dilation(pair(c, "dilation")[0])
                                .ceilMode(c.get("ceil_mode").getAsBoolean())
                                .returnIndices(c.get("return_indices").getAsBoolean());
                    }
                case "AvgPool2d":
                    return new AvgPool2d(i(c, "kernel_size"))
                            .stride(i(c, "stride"))
                            .padding(i(c, "padding"))
                            .ceilMode(c.get("ceil_mode").getAsBoolean())
                            .countIncludePad(c.get("count_include_pad").getAsBoolean());
                case "AdaptiveAvgPool2d":
                    return new AdaptiveAvgPool2d(
                            pair(c, "output_size")[0], pair(c, "output_size")[1]);
                case "ReLU":
                    return new ReLU(c.has("inplace") && c.get("inplace").getAsBoolean());
                case "Sigmoid":
                    return new Sigmoid();
                case "Flatten":
                    return new Flatten(i(c, "start_dim"), i(c, "end_dim"));
                case "Linear":
                    return new Linear(
                            i(c, "in_features"),
                            i(c, "out_features"),
                            c.get("bias").getAsBoolean());
                case "BatchNorm2d":
                    return new BatchNorm2d(
                            i(c, "num_features"),
                            c.get("eps").getAsDouble(),
                            c.get("momentum").getAsDouble());
                case "Dropout":
                    return new Dropout(c.get("p").getAsDouble());
                case "Identity":
                    return new Identity();
                case "Softmax":
                    return new Softmax();
                case "LogSoftmax":
                    return new LogSoftmax();
                case "BasicBlock":
                    return new BasicBlock(
                            i(c, "inplanes"),
                            i(c, "planes"),
                            i(c, "stride"),
                            c.get("bottleneck").getAsBoolean());
                default:
                    throw new AssertionError(type);
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(path + ".")) {
                throw e; // already names the child where it failed
            }
            throw new IllegalArgumentException(path + " (" + type + "): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    path + " (" + type + "): malformed spec " + spec + " (" + e + ")", e);
        }
    }

    private static int i(JsonObject c, String k) {
        if (!c.has(k)) throw new IllegalArgumentException("missing '" + k + "'");
        return c.get(k).getAsInt();
    }

    private static int[] pair(JsonObject c, String k) {
        if (!c.has(k)) throw new IllegalArgumentException("missing '" + k + "'");
        JsonElement e = c.get(k);
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            return new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
        }
        return new int[] {e.getAsInt(), e.getAsInt()};
    }
}
