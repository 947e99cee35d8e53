package org.kindling.data;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Where datasets live: {@code --data PATH} if given, else the {@code KINDLING_DATA} environment
 * variable, else {@code ~/.cache/kindling/datasets}. Each dataset has its own folder below it (for
 * example {@code cifar10/cifar-10-batches-bin}). A local {@code --data} or {@code KINDLING_DATA}
 * must exist (only the default home is created, for a download).
 */
public final class DataHome {
    /** The environment variable naming the data home. */
    public static final String ENV = "KINDLING_DATA";

    /**
     * Hadoop configuration key of a folder (any Hadoop URI) where dataset archives are unpacked so
     * that every executor can read them; on a cluster set it with {@code --conf
     * spark.hadoop.kindling.data.cache=hdfs:///...}. Unset: the driver's local cache.
     */
    public static final String SHARED_CACHE = "kindling.data.cache";

    private DataHome() {}

    /**
     * Resolves the data home.
     *
     * @param explicit the {@code --data} option, or null
     * @return the location as given (a local path or a Hadoop URI such as {@code hdfs://nn/data})
     * @throws IllegalArgumentException if a local {@code --data} or {@code KINDLING_DATA} path does
     *     not exist
     */
    public static String resolve(String explicit) {
        return resolve(explicit, System.getenv(), System::getProperty);
    }

    /** {@link #resolve(String)} with the environment and system properties given. */
    static String resolve(String explicit, Map<String, String> env, UnaryOperator<String> props) {
        if (explicit != null && !explicit.isBlank()) {
            return requireExisting(explicit, "--data " + explicit);
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return requireExisting(fromEnv, ENV + "=" + fromEnv);
        }
        return defaultHome(env, props).toString();
    }

    /** A local path that does not exist fails here, before anything tries to read or download. */
    private static String requireExisting(String home, String what) {
        URI uri;
        try {
            uri = new org.apache.hadoop.fs.Path(home).toUri();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not a valid path: " + e.getMessage(), e);
        }
        boolean local = uri.getScheme() == null || "file".equals(uri.getScheme());
        if (local && !Files.exists(Paths.get(uri.getPath()))) {
            throw new IllegalArgumentException(
                    what
                            + ": "
                            + Paths.get(uri.getPath()).toAbsolutePath()
                            + " does not exist; expected a folder that holds the datasets (e.g."
                            + " cifar10/cifar-10-batches-bin) or the dataset itself");
        }
        return home;
    }

    /**
     * A dataset is downloaded into a local home only if that home exists or is the default home
     * (which is created): a mistyped {@code --data} must not become a new folder.
     *
     * @throws IllegalArgumentException naming the dataset and the missing folder
     */
    public static void requireDownloadTarget(Path home, String dataset) {
        Path abs = home.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs) && !abs.equals(defaultHome().toAbsolutePath().normalize())) {
            throw new IllegalArgumentException(
                    dataset
                            + " not found and not downloaded: the data home "
                            + abs
                            + (Files.exists(abs) ? " is not a folder" : " does not exist")
                            + "; set --data or "
                            + ENV
                            + " to a folder that holds it (or that it may be downloaded into)");
        }
    }

    /**
     * The system property {@code kindling.cache} if set, else {@code
     * $XDG_CACHE_HOME/kindling/datasets}, or {@code ~/.cache/kindling/datasets}.
     */
    public static Path defaultHome() {
        return defaultHome(System.getenv(), System::getProperty);
    }

    static Path defaultHome(Map<String, String> env, UnaryOperator<String> props) {
        String override = props.apply("kindling.cache");
        if (override != null && !override.isBlank()) {
            return Paths.get(override);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path cache =
                xdg != null && !xdg.isBlank()
                        ? Paths.get(xdg)
                        : Paths.get(props.apply("user.home"), ".cache");
        return cache.resolve("kindling").resolve("datasets");
    }
}
