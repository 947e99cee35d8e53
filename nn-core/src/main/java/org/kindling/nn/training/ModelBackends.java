package org.kindling.nn.training;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The {@link ModelBackend}s on the class path, by name. */
public final class ModelBackends {
    private static volatile Map<String, ModelBackend> backends;

    private ModelBackends() {}

    /**
     * The backend {@code name}.
     *
     * @throws IllegalArgumentException naming the backend and the available ones
     */
    public static ModelBackend get(String name) {
        ModelBackend b = all().get(name);
        if (b == null) {
            throw new IllegalArgumentException(
                    "model backend '"
                            + name
                            + "' is not available; available: "
                            + all().keySet()
                            + " (the dl4j backend is in the spark-job jar)");
        }
        return b;
    }

    private static Map<String, ModelBackend> all() {
        Map<String, ModelBackend> m = backends;
        if (m == null) {
            m = new TreeMap<>();
            for (ModelBackend b :
                    ServiceLoader.load(ModelBackend.class, ModelBackends.class.getClassLoader())) {
                m.put(b.name(), b);
            }
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            if (context != null) {
                for (ModelBackend b : ServiceLoader.load(ModelBackend.class, context)) {
                    m.putIfAbsent(b.name(), b);
                }
            }
            backends = m;
        }
        return m;
    }
}
