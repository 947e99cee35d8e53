package org.kindling.data.transforms;

import java.util.SplittableRandom;
import org.kindling.data.ImageRecord;

/** {@code RandomHorizontalFlip(p=0.5)}: mirrors the image left-right with probability p. */
public final class RandomHorizontalFlip implements Transform {
    private static final long serialVersionUID = 1L;
    private final double p;

    public RandomHorizontalFlip() {
        this(0.5);
    }

    public RandomHorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(
                    "RandomHorizontalFlip: p must be in [0, 1] but was: " + p);
        }
        this.p = p;
    }

    @Override
    public ImageRecord apply(ImageRecord r, long[] shape, SplittableRandom rnd) {
        if (rnd.nextDouble() >= p) {
            return r;
        }
        int c = (int) shape[0], h = (int) shape[1], w = (int) shape[2];
        byte[] src = r.pixels();
        byte[] dst = new byte[src.length];
        for (int row = 0; row < c * h; row++) {
            for (int x = 0; x < w; x++) {
                dst[row * w + x] = src[row * w + (w - 1 - x)];
            }
        }
        return new ImageRecord(r.label(), dst);
    }

    @Override
    public String toString() {
        return "RandomHorizontalFlip(p=" + p + ")";
    }
}
