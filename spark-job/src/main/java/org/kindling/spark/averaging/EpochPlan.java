package org.kindling.spark.averaging;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which records of a partition form which mini-batch in an epoch: a seeded shuffle of the
 * partition, cut into batches of {@code batchSize} (the last one may be smaller). The Spark workers
 * and the single-machine reference in the tests use this same plan.
 */
public final class EpochPlan {
    private EpochPlan() {}

    /** Batches of record indices for one partition in one epoch. */
    public static List<int[]> batches(
            int partitionSize, int batchSize, long seed, int epoch, int partition) {
        int[] order = new int[partitionSize];
        for (int i = 0; i < partitionSize; i++) order[i] = i;
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + epoch * 7919L + partition);
        for (int i = partitionSize - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < partitionSize; from += batchSize) {
            int to = Math.min(partitionSize, from + batchSize);
            int[] b = new int[to - from];
            System.arraycopy(order, from, b, 0, b.length);
            out.add(b);
        }
        return out;
    }

    /** Number of averaging rounds needed for {@code maxBatches} batches at frequency k. */
    public static int rounds(int maxBatches, int k) {
        return (maxBatches + k - 1) / k;
    }
}
