package org.kindling.spark.averaging;

import java.util.Locale;
import org.apache.spark.SparkContext;

/**
 * How the workers' models meet after each round. Both ways compute the same average, element by
 * element in partition order with one rounding ({@link ShardedAverage#mean}), so they give the same
 * bits; they differ in what a round costs.
 *
 * <ul>
 *   <li>{@link #SHUFFLE}: one Spark job per round. Workers write float32 shards to the shuffle, one
 *       reduce task averages each shard and the driver gathers the mean; no JVM ever holds every
 *       worker's model. For models of any size, on any cluster.
 *   <li>{@link #TASKS}: one Spark job per segment of up to {@value #SEGMENT_ROUNDS} rounds, run as
 *       a barrier stage (as XGBoost and Horovod on Spark do): after each round every worker sends
 *       its model to the others through the driver's barrier coordinator ({@link AllGather}) and
 *       averages them itself. A round then costs one message exchange instead of a job with two
 *       stages, three tasks and a broadcast (about 50 ms on a 2-core machine, a third of a k = 4
 *       round of the course net). The driver relays every model to every worker, {@code workers^2 x
 *       model} bytes per round, so it is used only while that is at most {@value #TASKS_MAX_MIB}
 *       MiB (the course net: up to 7 workers); it needs a task slot per worker at once and no
 *       dynamic allocation. A segment that loses an executor runs again from its start ({@link
 *       ParameterAveraging}), so the result does not change.
 * </ul>
 *
 * <p>{@code --exchange auto|tasks|shuffle} (default {@code auto}: {@code tasks} where it applies).
 */
public enum Exchange {
    SHUFFLE,
    TASKS;

    static final int TASKS_MAX_MIB = 64;
    static final int SEGMENT_ROUNDS = 32;

    /** The exchange for a run, and why. */
    public record Choice(Exchange exchange, String reason) {
        @Override
        public String toString() {
            return exchange.name().toLowerCase(Locale.ROOT) + " (" + reason + ")";
        }
    }

    /**
     * Chooses the exchange for {@code workers} workers averaging {@code flatLength} float32 values
     * each, as {@code asked} ({@code --exchange}: auto, tasks or shuffle).
     *
     * @throws IllegalArgumentException if {@code tasks} is asked for where it cannot run
     */
    public static Choice choose(
            SparkContext sc, String asked, org.apache.spark.rdd.RDD<?> train, long flatLength) {
        int workers = train.getNumPartitions();
        if (asked.equals("shuffle")) {
            return new Choice(SHUFFLE, "--exchange shuffle");
        }
        String against = against(sc, train, workers, flatLength);
        if (against == null) {
            return new Choice(
                    TASKS,
                    workers == 1
                            ? "one worker: nothing to exchange"
                            : workers
                                    + " workers x "
                                    + mib(flatLength)
                                    + " MiB through the barrier coordinator");
        }
        if (asked.equals("tasks")) {
            throw new IllegalArgumentException("--exchange tasks cannot be used: " + against);
        }
        return new Choice(SHUFFLE, against);
    }

    /** Why {@link #TASKS} cannot run here, or null if it can. */
    private static String against(
            SparkContext sc, org.apache.spark.rdd.RDD<?> train, int workers, long flatLength) {
        if (workers == 1) {
            return null; // one task, no barrier: nothing to exchange
        }
        long relayed = 4L * flatLength * workers * workers;
        if (relayed > (long) TASKS_MAX_MIB << 20) {
            return workers
                    + "^2 workers x "
                    + mib(flatLength)
                    + " MiB is more than the "
                    + TASKS_MAX_MIB
                    + " MiB the driver may relay per round";
        }
        String lineage = otherPartitionCount(train, workers);
        if (lineage != null) {
            return "Spark's barrier stages cannot read the training data: " + lineage;
        }
        if (sc.getConf().getBoolean("spark.dynamicAllocation.enabled", false)) {
            return "Spark's barrier stages do not run with dynamic allocation";
        }
        // the same count Spark's scheduler checks a barrier stage against (private[spark] in
        // Scala, public in the bytecode; Spark is pinned in the pom)
        int slots = sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
        if (slots < workers) {
            return "a barrier stage needs "
                    + workers
                    + " task slots at once but the cluster has "
                    + slots;
        }
        return null;
    }

    /**
     * The RDD within {@code rdd}'s stage (reached through narrow dependencies) whose partition
     * count is not {@code n} (a coalesce or union: Spark refuses such chains in a barrier stage),
     * or null.
     */
    private static String otherPartitionCount(org.apache.spark.rdd.RDD<?> rdd, int n) {
        if (rdd.getNumPartitions() != n) {
            return rdd + " has " + rdd.getNumPartitions() + " partitions, not " + n;
        }
        scala.collection.Iterator<org.apache.spark.Dependency<?>> deps =
                rdd.dependencies().iterator();
        while (deps.hasNext()) {
            org.apache.spark.Dependency<?> d = deps.next();
            if (d instanceof org.apache.spark.NarrowDependency<?>) {
                String found = otherPartitionCount(d.rdd(), n);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static String mib(long flatLength) {
        return String.format(Locale.ROOT, "%.1f", 4.0 * flatLength / (1 << 20));
    }
}
