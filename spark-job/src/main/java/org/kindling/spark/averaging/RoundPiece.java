package org.kindling.spark.averaging;

import java.io.Serializable;

/**
 * What one worker sends after a round, in pieces so that no JVM gathers whole models from every
 * worker: one {@link #slice} per shard of the flat vector [parameters | optimizer state | buffers],
 * in float32, and one {@link #stats} piece (loss, counts, finiteness). Pieces with the same shard
 * meet in one reduce task ({@link ShardedAverage}).
 */
public final class RoundPiece implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The shard key of the statistics piece. */
    public static final int STATS = -1;

    final int shard;
    final int partition;
    final float[] values;
    final double lossSum;
    final long batches;
    final long examples;

    /** Number of workers this piece sums (1 from a worker; the count after averaging). */
    final int workers;

    /** The lowest partition with a non-finite loss or parameters, or -1. */
    final int badPartition;

    RoundPiece(
            int shard,
            int partition,
            float[] values,
            double lossSum,
            long batches,
            long examples,
            int workers,
            int badPartition) {
        this.shard = shard;
        this.partition = partition;
        this.values = values;
        this.lossSum = lossSum;
        this.batches = batches;
        this.examples = examples;
        this.workers = workers;
        this.badPartition = badPartition;
    }

    /** A worker's slice of shard {@code shard}. */
    static RoundPiece slice(int shard, int partition, float[] values) {
        return new RoundPiece(shard, partition, values, 0, 0, 0, 1, -1);
    }

    /** A worker's statistics; {@code bad} if its loss or parameters are not finite. */
    static RoundPiece stats(
            int partition, double lossSum, long batches, long examples, boolean bad) {
        return new RoundPiece(
                STATS, partition, null, lossSum, batches, examples, 1, bad ? partition : -1);
    }

    int shard() {
        return shard;
    }

    int partition() {
        return partition;
    }

    /** Mean mini-batch loss of the round. */
    public double meanLoss() {
        return lossSum / Math.max(1, batches);
    }

    /** Examples trained in the round. */
    public long examples() {
        return examples;
    }

    /** Workers that trained in the round. */
    public int workers() {
        return workers;
    }

    /** The lowest partition whose loss or parameters were not finite, or -1. */
    public int badPartition() {
        return badPartition;
    }
}
