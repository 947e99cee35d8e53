package org.kindling.data.transforms;

import java.util.SplittableRandom;
import org.kindling.data.ImageRecord;

/**
 * {@code RandomCrop(size, padding)}: zero-pads each side by {@code padding}, then crops a random
 * {@code size x size} window (torchvision's CIFAR augmentation is {@code RandomCrop(32, 4)}).
 */
public final class RandomCrop implements Transform {
    private static final long serialVersionUID = 1L;
    private final int size;
    private final int padding;

    public RandomCrop(int size, int padding) {
        if (size < 1 || padding < 0) {
            throw new IllegalArgumentException(
                    "RandomCrop: size must be >= 1 and padding >= 0 but were "
                            + size
                            + ", "
                            + padding);
        }
        this.size = size;
        this.padding = padding;
    }

    @Override
    public ImageRecord apply(ImageRecord r, long[] shape, SplittableRandom rnd) {
        int c = (int) shape[0], h = (int) shape[1], w = (int) shape[2];
        int ph = h + 2 * padding, pw = w + 2 * padding;
        if (size > ph || size > pw) {
            throw new IllegalArgumentException(
                    "RandomCrop(" + size + ") is larger than the padded image " + ph + "x" + pw);
        }
        int top = rnd.nextInt(ph - size + 1) - padding;
        int left = rnd.nextInt(pw - size + 1) - padding;
        byte[] src = r.pixels();
        byte[] dst = new byte[c * size * size];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < size; y++) {
                int sy = top + y;
                if (sy < 0 || sy >= h) continue;
                for (int x = 0; x < size; x++) {
                    int sx = left + x;
                    if (sx >= 0 && sx < w) {
                        dst[(ch * size + y) * size + x] = src[(ch * h + sy) * w + sx];
                    }
                }
            }
        }
        return new ImageRecord(r.label(), dst);
    }

    @Override
    public long[] outputShape(long[] shape) {
        return new long[] {shape[0], size, size};
    }

    @Override
    public String toString() {
        return "RandomCrop(size=" + size + ", padding=" + padding + ")";
    }
}
