package org.kindling.data.batch;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Per-channel normalisation of pixels scaled to [0, 1]: {@code (p/255 - mean[c]) / std[c]}, like
 * torchvision's {@code ToTensor()} followed by {@code Normalize(mean, std)}.
 */
public final class Normalization implements Serializable {
    private static final long serialVersionUID = 1L;

    private final float[] mean;
    private final float[] std;
    // apply(p, c) for every byte value, channel-major; built on first use (after deserialization
    // too), so filling a batch is one table lookup per pixel
    private transient volatile float[] table;

    /**
     * @param mean per-channel mean
     * @param std per-channel standard deviation, each > 0
     */
    public Normalization(float[] mean, float[] std) {
        if (mean.length != std.length) {
            throw new IllegalArgumentException(
                    "mean and std must have one value per channel, but have "
                            + mean.length
                            + " and "
                            + std.length);
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException(
                        "std must be > 0 but was: " + Arrays.toString(std));
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Only scaling to [0, 1] ({@code ToTensor()}), for {@code channels} channels. */
    public static Normalization none(int channels) {
        float[] m = new float[channels];
        float[] s = new float[channels];
        Arrays.fill(s, 1f);
        return new Normalization(m, s);
    }

    /** Per-channel means (a copy). */
    public float[] mean() {
        return mean.clone();
    }

    /** Per-channel standard deviations (a copy). */
    public float[] std() {
        return std.clone();
    }

    /** Number of channels. */
    public int channels() {
        return mean.length;
    }

    /** Normalised value of pixel {@code p} (0..255) in channel {@code c}. */
    public float apply(int p, int c) {
        return (p / 255f - mean[c]) / std[c];
    }

    /**
     * {@link #apply} for every pixel value: {@code table[c * 256 + p]}, bit-identical to {@code
     * apply(p, c)}. Shared, do not modify.
     */
    float[] table() {
        float[] t = table;
        if (t == null) {
            t = new float[mean.length * 256];
            for (int c = 0; c < mean.length; c++) {
                for (int p = 0; p < 256; p++) t[c * 256 + p] = apply(p, c);
            }
            table = t;
        }
        return t;
    }

    @Override
    public String toString() {
        return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
