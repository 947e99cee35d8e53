package org.kindling.data;

import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;
import org.kindling.data.batch.Normalization;

/**
 * Per-channel mean and (population) standard deviation of pixels scaled to [0, 1], computed by one
 * Spark job over a dataset: the numbers {@code Normalize(mean, std)} needs (CIFAR-10 train: mean
 * 0.4914, 0.4822, 0.4465; std 0.2470, 0.2435, 0.2616).
 */
public final class ChannelStatistics {
    private ChannelStatistics() {}

    /** Sums per channel: count, sum and sum of squares of the pixel values 0..255. */
    static final class Sums implements Serializable {
        private static final long serialVersionUID = 1L;
        final long[] count;
        final double[] sum;
        final double[] sumSq;

        Sums(int channels) {
            count = new long[channels];
            sum = new double[channels];
            sumSq = new double[channels];
        }

        Sums add(ImageRecord r) {
            int c = count.length;
            int plane = r.pixels().length / c;
            for (int ch = 0; ch < c; ch++) {
                long s = 0;
                long sq = 0;
                for (int i = ch * plane; i < (ch + 1) * plane; i++) {
                    int v = r.pixel(i);
                    s += v;
                    sq += (long) v * v;
                }
                count[ch] += plane;
                sum[ch] += s;
                sumSq[ch] += sq;
            }
            return this;
        }

        Sums merge(Sums o) {
            for (int i = 0; i < count.length; i++) {
                count[i] += o.count[i];
                sum[i] += o.sum[i];
                sumSq[i] += o.sumSq[i];
            }
            return this;
        }
    }

    /**
     * The statistics of a seeded sample of at most {@code maxImages} records (decoded with {@code
     * decoder} if not null): large datasets need not be read whole, nor decoded whole, for them.
     */
    public static Normalization ofSample(
            JavaRDD<ImageRecord> records,
            int channels,
            RecordDecoder decoder,
            long maxImages,
            long seed) {
        long n = records.count();
        JavaRDD<ImageRecord> sample =
                n <= maxImages ? records : records.sample(false, (double) maxImages / n, seed);
        return of(decoder == null ? sample : sample.map(decoder::decode), channels);
    }

    /** The normalisation with the dataset's own per-channel mean and standard deviation. */
    public static Normalization of(JavaRDD<ImageRecord> records, int channels) {
        Sums s = records.treeAggregate(new Sums(channels), Sums::add, Sums::merge);
        float[] mean = new float[channels];
        float[] std = new float[channels];
        for (int c = 0; c < channels; c++) {
            if (s.count[c] == 0) {
                throw new IllegalArgumentException(
                        "cannot compute channel statistics of an empty dataset");
            }
            double m = s.sum[c] / s.count[c] / 255.0;
            double var = s.sumSq[c] / s.count[c] / (255.0 * 255.0) - m * m;
            mean[c] = (float) m;
            std[c] = (float) Math.sqrt(Math.max(var, 0));
            if (!(std[c] > 0)) {
                throw new IllegalArgumentException(
                        "channel "
                                + c
                                + " has standard deviation 0 (every pixel is "
                                + Math.round(m * 255)
                                + "); it cannot be normalised");
            }
        }
        return new Normalization(mean, std);
    }
}
