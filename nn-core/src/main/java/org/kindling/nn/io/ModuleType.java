package org.kindling.nn.io;

import com.google.gson.JsonObject;
import org.kindling.nn.Module;

/**
 * How one module type is written to and rebuilt from an architecture spec. Every layer owns its
 * encoding as a nested {@code Type} class; {@link ModuleTypes} finds them with {@link
 * java.util.ServiceLoader} (file {@code META-INF/services/org.kindling.nn.io.ModuleType}), so a new
 * layer, Kindling's or a user's, touches no central switch. A user-defined layer lists its {@code
 * Type} in its own jar's services file (then executors find it too) or calls {@link
 * ModuleTypes#register(ModuleType)}.
 *
 * <p>The spec of a module is {@code {"type": name, "config": {...}, "children": {...}}}: {@code
 * config} is the module's constructor arguments ({@code Module.config()}), {@code children} its
 * child modules. Rebuilding calls {@link #fromConfig(SpecConfig)} and then sets every child from
 * the spec, so a modified child (a replaced head, an added layer) is rebuilt exactly.
 *
 * @param <M> the module class
 */
public abstract class ModuleType<M extends Module> {
    private final String name;
    private final Class<M> moduleClass;

    /**
     * @param name the {@code type} written to specs, e.g. {@code Conv2d}; unique
     * @param moduleClass the exact class written under this name
     */
    protected ModuleType(String name, Class<M> moduleClass) {
        this.name = name;
        this.moduleClass = moduleClass;
    }

    /** The {@code type} name in specs. */
    public final String name() {
        return name;
    }

    /** The exact module class this type writes. */
    public final Class<M> moduleClass() {
        return moduleClass;
    }

    /**
     * A new module from its {@code config} (children are set afterwards from the spec).
     *
     * @throws IllegalArgumentException naming the bad or missing value
     */
    public abstract M fromConfig(SpecConfig config);

    /** The {@code config} of {@code module}: its constructor arguments with PyTorch's names. */
    public JsonObject config(M module) {
        return module.configJson();
    }

    @Override
    public String toString() {
        return name + " (" + moduleClass.getName() + ")";
    }
}
