package org.kindling.data.transforms;

import java.util.SplittableRandom;
import org.kindling.data.ImageRecord;

/**
 * {@code Grayscale(num_output_channels)}: ITU-R 601-2 luma {@code L = 0.299 R + 0.587 G + 0.114 B}
 * (as PIL), repeated to 1 or 3 output channels; a 1-channel input is repeated.
 */
public final class Grayscale implements Transform {
    private static final long serialVersionUID = 1L;
    private final int outChannels;

    public Grayscale(int numOutputChannels) {
        if (numOutputChannels != 1 && numOutputChannels != 3) {
            throw new IllegalArgumentException(
                    "Grayscale: num_output_channels must be 1 or 3 but was: " + numOutputChannels);
        }
        this.outChannels = numOutputChannels;
    }

    @Override
    public ImageRecord apply(ImageRecord r, long[] shape, SplittableRandom rnd) {
        int c = (int) shape[0];
        int plane = (int) (shape[1] * shape[2]);
        byte[] src = r.pixels();
        byte[] dst = new byte[outChannels * plane];
        for (int i = 0; i < plane; i++) {
            int l =
                    c == 1
                            ? src[i] & 0xFF
                            : (int)
                                    Math.round(
                                            0.299 * (src[i] & 0xFF)
                                                    + 0.587 * (src[plane + i] & 0xFF)
                                                    + 0.114 * (src[2 * plane + i] & 0xFF));
            for (int ch = 0; ch < outChannels; ch++) dst[ch * plane + i] = (byte) l;
        }
        return new ImageRecord(r.label(), dst);
    }

    @Override
    public long[] outputShape(long[] shape) {
        return new long[] {outChannels, shape[1], shape[2]};
    }

    @Override
    public String toString() {
        return "Grayscale(num_output_channels=" + outChannels + ")";
    }
}
