package org.kindling.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One labelled image as compact on-heap bytes: the class index and the pixels as unsigned bytes in
 * channel-major order (C planes of H rows of W values, i.e. CHW), exactly as CIFAR-10 stores them.
 * A CIFAR-10 record costs 3 KB; ND4J arrays are made from records only inside tasks.
 */
public final class ImageRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int label;
    private final byte[] pixels;

    /**
     * @param label class index, >= 0
     * @param pixels CHW unsigned bytes (not copied)
     */
    public ImageRecord(int label, byte[] pixels) {
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0 but was: " + label);
        }
        this.label = label;
        this.pixels = pixels;
    }

    /** The class index. */
    public int label() {
        return label;
    }

    /** The pixels, CHW unsigned bytes (the internal array; do not modify). */
    public byte[] pixels() {
        return pixels;
    }

    /** Pixel value 0..255 at flat CHW offset {@code i}. */
    public int pixel(int i) {
        return pixels[i] & 0xFF;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageRecord r && r.label == label && Arrays.equals(r.pixels, pixels);
    }

    @Override
    public int hashCode() {
        return 31 * label + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "ImageRecord(label=" + label + ", " + pixels.length + " bytes)";
    }
}
