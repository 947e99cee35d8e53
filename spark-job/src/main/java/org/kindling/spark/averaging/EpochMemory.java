package org.kindling.spark.averaging;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives memory back between epochs, once per executor JVM: a full collection, then glibc's {@code
 * malloc_trim} through the JVM's {@code System.trim_native_heap} (JDK 17.0.9 and later; skipped
 * where the JVM lacks it). Without it an executor's resident memory grew from epoch to epoch (the
 * main job with 1 worker: +41 % from epoch 2 to 10): G1 touches more of the heap it has committed
 * without giving any back, and glibc keeps the native memory ND4J frees (docs/PERFORMANCE.md,
 * profiles 20 and 21). With the launcher's {@code -XX:MaxHeapFreeRatio=30} the collection also
 * shrinks the committed heap, down to its {@code -Xms1g} floor, so every epoch starts from the same
 * footprint (profile 30).
 *
 * <p>Runs once per epoch boundary on this JVM: in the first test-set task after an epoch's
 * training, or, without a test set, in the first task of the next epoch before it trains (the
 * learners of the other partitions wait at the same round's start). Released before the test pass,
 * the next epoch's peak is its own, not the previous epoch's footprint (docs/PERFORMANCE.md,
 * profile 29). Off with the executor JVM's {@code -Dkindling.epochMemoryRelease=false}.
 */
final class EpochMemory {
    private static final Logger LOG = LoggerFactory.getLogger(EpochMemory.class);
    private static final boolean ENABLED =
            !"false".equalsIgnoreCase(System.getProperty("kindling.epochMemoryRelease"));
    // per run, the latest epoch this JVM has started; kept for the Workers.RUNS_KEPT most recent
    // runs, as the learners are (an executor of a cluster never sees Workers.release)
    private static final Map<String, Integer> STARTED =
            new LinkedHashMap<>(4, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Integer> e) {
                    return size() > Workers.RUNS_KEPT;
                }
            };

    private EpochMemory() {}

    /**
     * Called when a task on this JVM starts epoch {@code epoch} of run {@code runId}, or evaluates
     * after epoch {@code epoch - 1}'s training: the first such call of each epoch after the run's
     * first releases memory; later ones return at once. Returns whether this call released memory.
     */
    static boolean epochStarting(String runId, int epoch) {
        synchronized (STARTED) {
            Integer before = STARTED.get(runId);
            if (before != null && before >= epoch) {
                return false;
            }
            STARTED.put(runId, epoch);
            if (before == null || !ENABLED) {
                return false;
            }
            // under the lock: another partition's first task of this epoch waits for it
            long t0 = System.nanoTime();
            System.gc();
            boolean trimmed = trimNativeHeap();
            LOG.debug(
                    "epoch {}: collected the heap{} in {} ms",
                    epoch,
                    trimmed ? " and trimmed the native heap" : "",
                    (System.nanoTime() - t0) / 1_000_000);
            return true;
        }
    }

    /** Forgets run {@code runId}. */
    static void release(String runId) {
        synchronized (STARTED) {
            STARTED.remove(runId);
        }
    }

    /** glibc's {@code malloc_trim} through the JVM; false where the JVM cannot. */
    static boolean trimNativeHeap() {
        try {
            ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            new ObjectName("com.sun.management:type=DiagnosticCommand"),
                            "systemTrimNativeHeap",
                            new Object[] {new String[0]},
                            new String[] {String[].class.getName()});
            return true;
        } catch (Exception | LinkageError e) {
            // an older JVM (before 17.0.9) or a non-glibc platform: the collection alone
            LOG.debug("no native heap trim: {}", e.toString());
            return false;
        }
    }
}
