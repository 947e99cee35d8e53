package org.kindling.spark.averaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sharded float32 averaging against an exact reference, and its independence of arrival order. */
class ShardedAverageTest {

    static List<float[]> workers(int w, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<float[]> out = new ArrayList<>();
        for (int k = 0; k < w; k++) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                // parameters of very different magnitudes, with cancellation
                v[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-6, 4)));
            }
            out.add(v);
        }
        return out;
    }

    @Test
    void theMeanOfShardsIsWithinTheDocumentedBoundOfTheExactMean() {
        for (int w : new int[] {1, 2, 7, 64}) {
            List<float[]> inputs = workers(w, 5000, w);
            float[] mean = ShardedAverage.mean(inputs);
            for (int i = 0; i < mean.length; i++) {
                BigDecimal exact = BigDecimal.ZERO;
                double maxAbs = 0;
                for (float[] v : inputs) {
                    exact = exact.add(new BigDecimal(v[i]));
                    maxAbs = Math.max(maxAbs, Math.abs(v[i]));
                }
                double exactMean =
                        exact.divide(BigDecimal.valueOf(w), MathContext.DECIMAL128).doubleValue();
                double bound = Math.ulp((float) exactMean) / 2 + w * Math.pow(2, -53) * maxAbs;
                assertTrue(
                        Math.abs(mean[i] - exactMean) <= bound,
                        "w=" + w + " element " + i + ": " + mean[i] + " vs exact " + exactMean);
            }
        }
    }

    @Test
    void theMeanIntoAnArrayIsTheSameMeanWhateverTheArrayHeld() {
        List<float[]> inputs = workers(3, 2000, 11);
        float[] want = ShardedAverage.mean(inputs);
        float[] out = new float[2000];
        java.util.Arrays.fill(out, Float.NaN);
        assertSame(out, ShardedAverage.mean(inputs, out));
        assertArrayEquals(want, out);
        // into one of its own slices: each element is read from every slice before it is written
        float[] first = inputs.get(0);
        assertArrayEquals(want, ShardedAverage.mean(inputs, first));
        assertThrows(
                IllegalStateException.class, () -> ShardedAverage.mean(inputs, new float[1999]));
    }

    @Test
    void oneWorkerIsReturnedExactly() {
        float[] v = workers(1, 1000, 3).get(0);
        assertArrayEquals(v, ShardedAverage.mean(List.of(v)));
    }

    @Test
    void naiveFloatSummingWouldMissTheBoundThatThisMeets() {
        // the control: a float32 running sum of 64 workers is measurably worse than the bound
        List<float[]> inputs = workers(64, 5000, 9);
        float[] mean = ShardedAverage.mean(inputs);
        double worstNaive = 0;
        double worstOurs = 0;
        for (int i = 0; i < mean.length; i++) {
            float naive = 0;
            BigDecimal exact = BigDecimal.ZERO;
            for (float[] v : inputs) {
                naive += v[i];
                exact = exact.add(new BigDecimal(v[i]));
            }
            double exactMean =
                    exact.divide(BigDecimal.valueOf(64), MathContext.DECIMAL128).doubleValue();
            double ulp = Math.ulp((float) exactMean);
            worstNaive = Math.max(worstNaive, Math.abs(naive / 64 - exactMean) / ulp);
            worstOurs = Math.max(worstOurs, Math.abs(mean[i] - exactMean) / ulp);
        }
        assertTrue(worstOurs <= 0.5 + 1e-9, "ours: " + worstOurs + " ulp");
        assertTrue(worstNaive > 2, "naive float summing: " + worstNaive + " ulp");
    }

    @Test
    void piecesCombineInPartitionOrderWhateverOrderTheyArriveIn() {
        List<float[]> inputs = workers(5, 300, 4);
        int shards = 3;
        List<List<RoundPiece>> byShard = new ArrayList<>();
        for (int s = 0; s < shards; s++) byShard.add(new ArrayList<>());
        for (int p = 0; p < inputs.size(); p++) {
            // cut as the workers cut their arrays
            org.kindling.nn.training.FlatVector flat =
                    new org.kindling.nn.training.FlatVector(
                            List.of(org.nd4j.linalg.factory.Nd4j.createFromArray(inputs.get(p))));
            for (int s = 0; s < shards; s++) {
                byShard.get(s)
                        .add(
                                RoundPiece.slice(
                                        s,
                                        p,
                                        flat.slice(
                                                ShardedAverage.offset(300, shards, s),
                                                ShardedAverage.offset(300, shards, s + 1))));
            }
        }
        float[] expected = ShardedAverage.mean(inputs);
        for (int s = 0; s < shards; s++) {
            List<RoundPiece> pieces = byShard.get(s);
            Collections.shuffle(pieces, new java.util.Random(s));
            RoundPiece combined = ShardedAverage.combine(pieces);
            int from = (int) ShardedAverage.offset(300, shards, s);
            for (int i = 0; i < combined.values.length; i++) {
                assertEquals(expected[from + i], combined.values[i]);
            }
            assertEquals(5, combined.workers());
        }
    }

    @Test
    void shardsCoverTheVectorAndScaleWithItsSize() {
        assertEquals(2, ShardedAverage.shards(145_578, 2));
        assertEquals(1, ShardedAverage.shards(10, 1));
        int vgg = ShardedAverage.shards(2L * 138_357_544, 2);
        assertEquals(
                (2L * 138_357_544 + ShardedAverage.SHARD_ELEMENTS - 1)
                        / ShardedAverage.SHARD_ELEMENTS,
                vgg);
        assertEquals(0, ShardedAverage.offset(1000, 7, 0));
        assertEquals(1000, ShardedAverage.offset(1000, 7, 7));
    }
}
