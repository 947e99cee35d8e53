package org.kindling.spark.averaging;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The arithmetic of sharded averaging. The flat vector of every worker is cut into {@link #shards}
 * contiguous shards; each shard's slices from all workers are averaged in one reduce task, in
 * partition order (never in arrival order, so the result does not depend on which task finished
 * first), accumulating in double precision and rounding once to float32.
 *
 * <p>Error bound: for W workers the computed mean differs from the exact mean of the float32 inputs
 * by at most {@code 2^-24 |mean| + W * 2^-53 * max|x_i|} per element (one float rounding after a
 * double sum of W floats). With one worker the mean is the input, exactly.
 */
public final class ShardedAverage {
    /** Target shard size in elements (4 Mi floats = 16 MiB). */
    static final int SHARD_ELEMENTS = 4 << 20;

    private ShardedAverage() {}

    /** Number of shards for a vector of {@code length} elements averaged over {@code workers}. */
    public static int shards(long length, int workers) {
        long bySize = (length + SHARD_ELEMENTS - 1) / SHARD_ELEMENTS;
        return (int) Math.max(1, Math.min(Math.max(bySize, workers), Math.max(1, length)));
    }

    /** The start offset of shard {@code s} (and, for {@code s == shards}, the length). */
    public static long offset(long length, int shards, int s) {
        return length * s / shards;
    }

    /**
     * Combines the pieces of one shard from all workers: the element-wise mean of slices, or the
     * summed statistics; in partition order.
     */
    static RoundPiece combine(Iterable<RoundPiece> pieces) {
        List<RoundPiece> list = new ArrayList<>();
        pieces.forEach(list::add);
        list.sort(Comparator.comparingInt(RoundPiece::partition));
        RoundPiece first = list.get(0);
        if (first.shard == RoundPiece.STATS) {
            double loss = 0;
            long batches = 0;
            long examples = 0;
            int bad = -1;
            for (RoundPiece p : list) {
                loss += p.lossSum;
                batches += p.batches;
                examples += p.examples;
                if (p.badPartition >= 0 && bad < 0) {
                    bad = p.badPartition;
                }
            }
            return new RoundPiece(
                    RoundPiece.STATS, -1, null, loss, batches, examples, list.size(), bad);
        }
        List<float[]> slices = new ArrayList<>(list.size());
        for (RoundPiece p : list) slices.add(p.values);
        return new RoundPiece(first.shard, -1, mean(slices), 0, 0, 0, list.size(), -1);
    }

    /**
     * The element-wise mean, summed in the given order in double, rounded once to float. Each
     * element's sum is formed on its own, so no double-precision copy of the vector is allocated
     * (the exchange averages every round).
     */
    static float[] mean(List<float[]> slices) {
        return mean(slices, new float[slices.get(0).length]);
    }

    /** {@link #mean(List)} into {@code out}; returns it. */
    static float[] mean(List<float[]> slices, float[] out) {
        int n = out.length;
        for (float[] s : slices) {
            if (s.length != n) {
                throw new IllegalStateException(
                        "slices of one shard differ in length: " + s.length + " vs " + n);
            }
        }
        float[][] in = slices.toArray(new float[0][]);
        int w = in.length;
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (float[] s : in) sum += s[i];
            out[i] = (float) (sum / w);
        }
        return out;
    }
}
