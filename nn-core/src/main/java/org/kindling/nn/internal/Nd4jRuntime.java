package org.kindling.nn.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.nd4j.linalg.api.environment.Nd4jEnvironment;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts ND4J on its fast CPU path and checks that it stays there (see PERFORMANCE.md in the shared
 * notes): the oneDNN build of libnd4j with its platform helpers enabled, one OpenMP thread per core
 * given to this process (or to this task), and OpenBLAS's spinning worker switched off.
 *
 * <p>Pooling runs as libnd4j ops whose oneDNN helpers are picked by libnd4j itself, float32
 * convolutions on oneDNN 2.5.2 directly ({@link OneDnn}, on the same OpenMP threads); DL4J's
 * layer-helper lookup, which silently fails in 1.0.0-M2.x, is not involved.
 */
public final class Nd4jRuntime {
    private static final Logger log = LoggerFactory.getLogger(Nd4jRuntime.class);
    private static volatile boolean checked;

    private Nd4jRuntime() {}

    /**
     * Configures ND4J for {@code threads} compute threads and verifies the fast path once per JVM.
     *
     * @throws IllegalStateException naming the cause if oneDNN is missing or disabled, unless the
     *     system property {@code kindling.allowSlowPath=true} is set
     */
    public static synchronized void init(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1 but was: " + threads);
        }
        Nd4j.getBackend(); // NativeOpsHolder needs the backend's properties loaded first
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        Nd4j.getEnvironment().setMaxThreads(threads);
        if (!checked) {
            Nd4j.factory().blas().setMaxThreads(1);
            checkFastPath();
            // the one line per JVM (each Spark executor's log) that says what this JVM computes on
            log.info(
                    "ND4J backend {}{}",
                    describeBackend(),
                    Nd4j.getEnvironment().isCPU()
                            ? "; oneDNN "
                                    + (onednnEnabled() ? "on" : "off")
                                    + ", "
                                    + threads
                                    + " thread(s)"
                            : "");
            checked = true;
        }
    }

    /**
     * Frees the calling thread's ND4J workspaces (a training thread's step memory), for a thread
     * that is about to end. ND4J's own {@code destroyAllWorkspacesForCurrentThread()} then calls
     * {@code System.gc()}: a full, stop-the-world collection of the whole JVM (0.2-0.4 s in the
     * DL4J comparison, landing in whatever else runs; docs/PERFORMANCE.md, profile 24). Freeing a
     * workspace releases its native memory directly, so no collection is needed. Returns how many
     * were freed.
     */
    public static int releaseWorkspaces() {
        var manager = Nd4j.getWorkspaceManager();
        List<MemoryWorkspace> mine = new ArrayList<>(manager.getAllWorkspacesForCurrentThread());
        for (MemoryWorkspace ws : mine) {
            manager.destroyWorkspace(ws);
        }
        return mine.size();
    }

    /** Threads per task for {@code concurrentTasks} tasks sharing this machine's cores. */
    public static int threadsFor(int concurrentTasks) {
        int cores = Runtime.getRuntime().availableProcessors();
        return Math.max(1, cores / Math.max(1, concurrentTasks));
    }

    /** The ND4J version on the classpath (from its Maven metadata), or "unknown". */
    public static String nd4jVersion() {
        try (java.io.InputStream in =
                Nd4j.class.getResourceAsStream(
                        "/META-INF/maven/org.nd4j/nd4j-api/pom.properties")) {
            if (in == null) {
                return "unknown";
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** A one-line description of the backend, for logs and provenance. */
    public static String describe() {
        String build = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        return Nd4j.getBackend().getClass().getSimpleName()
                + ", omp threads "
                + NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads()
                + ", oneDNN "
                + (onednnEnabled() ? "on" : "off")
                + ", "
                + build.replace('\n', ' ').trim();
    }

    /**
     * The backend ND4J loaded and the devices it computes on, in one line: {@code CpuBackend on 1
     * device: CPU (2 cores, BLAS OPENBLAS)} or {@code JCublasBackend on 2 devices: [0] NVIDIA A10
     * (sm_86, 22.1 GiB), [1] ...}. With the CUDA backend on the classpath but no usable GPU, ND4J
     * loads the CPU backend and this says so.
     */
    public static String describeBackend() {
        return describeBackend(
                Nd4j.getBackend().getClass().getSimpleName(),
                Nd4j.getAffinityManager().getNumberOfDevices(),
                Nd4j.getExecutioner().getEnvironmentInformation());
    }

    /** {@link #describeBackend()} from a backend name, device count and ND4J's environment. */
    static String describeBackend(String backend, int deviceCount, Properties env) {
        StringBuilder sb =
                new StringBuilder(backend)
                        .append(" on ")
                        .append(deviceCount)
                        .append(deviceCount == 1 ? " device: " : " devices: ");
        Object gpus = env.get(Nd4jEnvironment.CUDA_DEVICE_INFORMATION_KEY);
        if (gpus instanceof List && !((List<?>) gpus).isEmpty()) {
            List<String> names = new ArrayList<>();
            int i = 0;
            for (Object o : (List<?>) gpus) {
                Map<?, ?> d = (Map<?, ?>) o;
                Object total = d.get(Nd4jEnvironment.CUDA_TOTAL_MEMORY_KEY);
                names.add(
                        String.format(
                                Locale.ROOT,
                                "[%d] %s (sm_%s%s, %s)",
                                i++,
                                d.get(Nd4jEnvironment.CUDA_DEVICE_NAME_KEY),
                                d.get(Nd4jEnvironment.CUDA_DEVICE_MAJOR_VERSION_KEY),
                                d.get(Nd4jEnvironment.CUDA_DEVICE_MINOR_VERSION_KEY),
                                total instanceof Number
                                        ? String.format(
                                                Locale.ROOT,
                                                "%.1f GiB",
                                                ((Number) total).doubleValue() / (1L << 30))
                                        : "memory unknown"));
            }
            return sb.append(String.join(", ", names)).toString();
        }
        sb.append(env.getOrDefault(Nd4jEnvironment.BACKEND_KEY, "CPU"))
                .append(" (")
                .append(
                        env.getOrDefault(
                                Nd4jEnvironment.CPU_CORES_KEY,
                                Runtime.getRuntime().availableProcessors()))
                .append(" cores");
        Object blas = env.get(Nd4jEnvironment.BLAS_VENDOR_KEY);
        if (blas != null) {
            sb.append(", BLAS ").append(blas);
        }
        return sb.append(')').toString();
    }

    private static boolean onednnEnabled() {
        if (!Nd4j.getEnvironment().isCPU()) {
            return false;
        }
        return Nd4jCpu.Environment.getInstance().isUseONEDNN();
    }

    private static void checkFastPath() {
        if (!Nd4j.getEnvironment().isCPU()) {
            return; // the oneDNN fast path is a CPU matter
        }
        String build = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        String problem = null;
        if (!build.toUpperCase().contains("ONEDNN")) {
            problem =
                    "libnd4j was built without oneDNN (buildInfo: "
                            + build.replace('\n', ' ').trim()
                            + "); put org.nd4j:nd4j-native:1.0.0-M2.1:linux-x86_64-onednn-avx2 on the classpath";
        } else if (!Nd4j.getEnvironment().helpersAllowed()) {
            problem = "libnd4j platform helpers are disabled (Environment.allowHelpers(false))";
        } else if (!onednnEnabled()) {
            problem = "oneDNN is disabled in libnd4j (Environment.setUseONEDNN(false))";
        }
        if (problem == null) {
            return; // init logs the backend line
        }
        String msg =
                "ND4J is not on its fast CPU path: "
                        + problem
                        + ". Convolutions would run about 15x slower. Set -Dkindling.allowSlowPath=true to run anyway.";
        if (Boolean.getBoolean("kindling.allowSlowPath")) {
            log.warn(msg);
        } else {
            throw new IllegalStateException(msg);
        }
    }
}
