package org.kindling.data.transforms;

import java.util.SplittableRandom;
import org.kindling.data.ImageRecord;

/**
 * {@code Resize((h, w))} with bilinear interpolation (half-pixel centres, edges clamped, as
 * PIL/torchvision without antialiasing).
 */
public final class Resize implements Transform {
    private static final long serialVersionUID = 1L;
    private final int height;
    private final int width;

    public Resize(int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "Resize: size must be >= 1 but was " + height + "x" + width);
        }
        this.height = height;
        this.width = width;
    }

    @Override
    public ImageRecord apply(ImageRecord r, long[] shape, SplittableRandom rnd) {
        int c = (int) shape[0], h = (int) shape[1], w = (int) shape[2];
        if (h == height && w == width) {
            return r;
        }
        return new ImageRecord(r.label(), resize(r.pixels(), c, h, w, height, width));
    }

    /** Bilinear resize of CHW bytes. */
    public static byte[] resize(byte[] src, int c, int h, int w, int oh, int ow) {
        byte[] dst = new byte[c * oh * ow];
        double sy = (double) h / oh;
        double sx = (double) w / ow;
        for (int y = 0; y < oh; y++) {
            double fy = Math.max(0, Math.min(h - 1, (y + 0.5) * sy - 0.5));
            int y0 = (int) fy;
            int y1 = Math.min(y0 + 1, h - 1);
            double dy = fy - y0;
            for (int x = 0; x < ow; x++) {
                double fx = Math.max(0, Math.min(w - 1, (x + 0.5) * sx - 0.5));
                int x0 = (int) fx;
                int x1 = Math.min(x0 + 1, w - 1);
                double dx = fx - x0;
                for (int ch = 0; ch < c; ch++) {
                    int b = ch * h * w;
                    double v =
                            (src[b + y0 * w + x0] & 0xFF) * (1 - dy) * (1 - dx)
                                    + (src[b + y0 * w + x1] & 0xFF) * (1 - dy) * dx
                                    + (src[b + y1 * w + x0] & 0xFF) * dy * (1 - dx)
                                    + (src[b + y1 * w + x1] & 0xFF) * dy * dx;
                    dst[(ch * oh + y) * ow + x] = (byte) Math.round(v);
                }
            }
        }
        return dst;
    }

    @Override
    public long[] outputShape(long[] shape) {
        return new long[] {shape[0], height, width};
    }

    @Override
    public String toString() {
        return "Resize(" + height + ", " + width + ")";
    }
}
