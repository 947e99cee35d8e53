package org.kindling.spark.averaging;

import java.io.Serializable;

/**
 * What workers send back after a round, summed by {@code treeAggregate}: parameters optimizer state
 * and buffers (summed over workers), the summed mini-batch losses, and counts.
 */
public final class RoundResult implements Serializable {
    private static final long serialVersionUID = 1L;

    double[] params;
    double[] state;
    double[] buffers;
    double lossSum;
    long batches;
    long examples;
    int workers;
    int badPartition = -1;

    /** The neutral element. */
    public static RoundResult zero() {
        return new RoundResult();
    }

    /** One worker's contribution. */
    static RoundResult of(
            int partition,
            float[] params,
            float[] state,
            float[] buffers,
            double lossSum,
            long batches,
            long examples) {
        RoundResult r = new RoundResult();
        r.params = toDouble(params);
        r.state = toDouble(state);
        r.buffers = toDouble(buffers);
        r.lossSum = lossSum;
        r.batches = batches;
        r.examples = examples;
        r.workers = 1;
        if (!Double.isFinite(lossSum) || !finite(params)) {
            r.badPartition = partition;
        }
        return r;
    }

    /** Adds {@code o} into this (the merge of treeAggregate). */
    public RoundResult merge(RoundResult o) {
        if (o.workers == 0) {
            return this;
        }
        if (workers == 0) {
            return o;
        }
        for (int i = 0; i < params.length; i++) params[i] += o.params[i];
        for (int i = 0; i < state.length; i++) state[i] += o.state[i];
        for (int i = 0; i < buffers.length; i++) buffers[i] += o.buffers[i];
        lossSum += o.lossSum;
        batches += o.batches;
        examples += o.examples;
        workers += o.workers;
        if (o.badPartition >= 0 && (badPartition < 0 || o.badPartition < badPartition)) {
            badPartition = o.badPartition;
        }
        return this;
    }

    /** Parameters averaged over the workers that trained. */
    public float[] averageParams() {
        return divide(params, workers);
    }

    /** Optimizer state averaged over the workers that trained. */
    public float[] averageState() {
        return divide(state, workers);
    }

    /** Buffers (e.g. BatchNorm running statistics) averaged over the workers that trained. */
    public float[] averageBuffers() {
        return divide(buffers, workers);
    }

    /** Mean mini-batch loss of the round. */
    public double meanLoss() {
        return lossSum / Math.max(1, batches);
    }

    /** Examples trained on in the round. */
    public long examples() {
        return examples;
    }

    /** The lowest partition whose loss or parameters were not finite, or -1. */
    public int badPartition() {
        return badPartition;
    }

    private static boolean finite(float[] a) {
        for (float v : a) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Number of workers that trained. */
    public int workers() {
        return workers;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    private static float[] divide(double[] a, int n) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) (a[i] / n);
        return f;
    }
}
