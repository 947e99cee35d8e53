package org.kindling.nn.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Map;
import org.kindling.nn.Module;

/**
 * The readable architecture spec: a module tree as JSON, {@code {"type": "Conv2d", "config":
 * {...}}} for layers and {@code {"type": "Sequential", "children": {"0": ..., "classifier": ...}}}
 * for containers. Each type's encoding lives with the type ({@link ModuleType}, found in {@link
 * ModuleTypes}); this class only walks the tree. No class named by a file is ever loaded: a type
 * name is only looked up among the registered types.
 */
public final class ModuleSpecs {
    private ModuleSpecs() {}

    /**
     * The spec of {@code m}.
     *
     * @throws IllegalArgumentException for a module class without a registered {@link ModuleType}
     */
    public static JsonObject toJson(Module m) {
        ModuleType<Module> type = ModuleTypes.of(m);
        JsonObject o = new JsonObject();
        o.addProperty("type", type.name());
        JsonObject config = type.config(m);
        if (config != null && config.size() > 0) {
            o.add("config", config);
        }
        if (!m.namedChildren().isEmpty()) {
            JsonObject children = new JsonObject();
            for (Map.Entry<String, Module> e : m.namedChildren().entrySet()) {
                children.add(e.getKey(), toJson(e.getValue()));
            }
            o.add("children", children);
        }
        return o;
    }

    /**
     * Builds the module tree described by {@code spec} (parameters freshly initialised from the
     * current {@link org.kindling.nn.Generator}).
     *
     * @throws IllegalArgumentException naming the path in the tree and the problem
     */
    public static Module fromJson(JsonObject spec) {
        return build(spec, "model");
    }

    private static Module build(JsonObject spec, String path) {
        JsonElement t = spec.get("type");
        if (t == null || !t.isJsonPrimitive()) {
            throw new IllegalArgumentException(path + ": spec has no \"type\": " + spec);
        }
        String type = t.getAsString();
        ModuleType<?> mt;
        try {
            mt = ModuleTypes.byName(type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
        Module m;
        try {
            JsonElement c = spec.get("config");
            m =
                    mt.fromConfig(
                            new SpecConfig(
                                    c == null || c.isJsonNull() ? null : c.getAsJsonObject()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(path + " (" + type + "): " + e.getMessage(), e);
        }
        JsonElement children = spec.get("children");
        if (children != null && !children.isJsonNull()) {
            if (!children.isJsonObject()) {
                throw new IllegalArgumentException(
                        path
                                + " ("
                                + type
                                + "): \"children\" must be an object but was: "
                                + children);
            }
            for (Map.Entry<String, JsonElement> e : children.getAsJsonObject().entrySet()) {
                if (!e.getValue().isJsonObject()) {
                    throw new IllegalArgumentException(
                            path
                                    + "."
                                    + e.getKey()
                                    + ": spec must be an object but was: "
                                    + e.getValue());
                }
                m.addModule(
                        e.getKey(), build(e.getValue().getAsJsonObject(), path + "." + e.getKey()));
            }
        }
        return m;
    }
}
