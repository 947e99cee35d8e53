package org.kindling.data;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where datasets live: {@code --data PATH} if given, else the {@code KINDLING_DATA} environment
 * variable, else {@code ~/.cache/kindling/datasets}. Each dataset has its own folder below it (for
 * example {@code cifar10/cifar-10-batches-bin}).
 */
public final class DataHome {
    /** The environment variable naming the data home. */
    public static final String ENV = "KINDLING_DATA";

    private DataHome() {}

    /**
     * Resolves the data home.
     *
     * @param explicit the {@code --data} option, or null
     * @return the location as given (a local path or a Hadoop URI such as {@code hdfs://nn/data})
     */
    public static String resolve(String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return env;
        }
        return defaultHome().toString();
    }

    /**
     * The system property {@code kindling.cache} if set, else {@code
     * $XDG_CACHE_HOME/kindling/datasets}, or {@code ~/.cache/kindling/datasets}.
     */
    public static Path defaultHome() {
        String override = System.getProperty("kindling.cache");
        if (override != null && !override.isBlank()) {
            return Paths.get(override);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache =
                xdg != null && !xdg.isBlank()
                        ? Paths.get(xdg)
                        : Paths.get(System.getProperty("user.home"), ".cache");
        return cache.resolve("kindling").resolve("datasets");
    }
}
