package org.kindling.nn.io;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;
import org.kindling.nn.Module;

/**
 * The registry of {@link ModuleType}s: every type on the class path (found with {@link
 * ServiceLoader}) plus those registered at run time. Names and classes are unique.
 */
public final class ModuleTypes {
    private static final Map<String, ModuleType<?>> BY_NAME = new LinkedHashMap<>();
    private static final Map<Class<?>, ModuleType<?>> BY_CLASS = new LinkedHashMap<>();

    static {
        for (ModuleType<?> t :
                ServiceLoader.load(ModuleType.class, ModuleTypes.class.getClassLoader())) {
            add(t);
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null && context != ModuleTypes.class.getClassLoader()) {
            for (ModuleType<?> t : ServiceLoader.load(ModuleType.class, context)) {
                if (!BY_NAME.containsKey(t.name())) {
                    add(t);
                }
            }
        }
    }

    private ModuleTypes() {}

    /**
     * Registers a type (for example a user-defined layer) in this JVM. Registering the same type
     * again is a no-op.
     *
     * @throws IllegalArgumentException if the name or class is taken by another type
     */
    public static synchronized void register(ModuleType<?> type) {
        ModuleType<?> same = BY_NAME.get(type.name());
        if (same != null && same.moduleClass() == type.moduleClass()) {
            return;
        }
        add(type);
    }

    private static synchronized void add(ModuleType<?> t) {
        if (BY_NAME.containsKey(t.name())) {
            throw new IllegalArgumentException(
                    "module type name '"
                            + t.name()
                            + "' is already registered by "
                            + BY_NAME.get(t.name()));
        }
        if (BY_CLASS.containsKey(t.moduleClass())) {
            throw new IllegalArgumentException(
                    "module class "
                            + t.moduleClass().getName()
                            + " is already registered as "
                            + BY_CLASS.get(t.moduleClass()));
        }
        BY_NAME.put(t.name(), t);
        BY_CLASS.put(t.moduleClass(), t);
    }

    /**
     * The type named {@code name}.
     *
     * @throws IllegalArgumentException naming the type and listing the registered ones
     */
    public static synchronized ModuleType<?> byName(String name) {
        ModuleType<?> t = BY_NAME.get(name);
        if (t == null) {
            throw new IllegalArgumentException(
                    "unknown module type '"
                            + name
                            + "'; registered types: "
                            + new TreeSet<>(BY_NAME.keySet())
                            + " (a user-defined layer registers its ModuleType, see ModuleType)");
        }
        return t;
    }

    /**
     * The type that writes {@code module}'s exact class.
     *
     * @throws IllegalArgumentException if the class has no registered type
     */
    @SuppressWarnings("unchecked")
    public static synchronized <M extends Module> ModuleType<M> of(M module) {
        ModuleType<?> t = BY_CLASS.get(module.getClass());
        if (t == null) {
            throw new IllegalArgumentException(
                    "module class "
                            + module.getClass().getName()
                            + " has no registered ModuleType, so it cannot be written to an architecture spec; register one (see ModuleType) or save its parameters only");
        }
        return (ModuleType<M>) t;
    }
}
