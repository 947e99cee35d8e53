package org.kindling.data.transforms;

import java.io.Serializable;
import java.util.List;
import java.util.SplittableRandom;
import org.kindling.data.ImageRecord;

/**
 * An image transform on compact records, like torchvision's transforms before {@code ToTensor}:
 * pixels stay CHW unsigned bytes; {@code ToTensor} and {@code Normalize} happen when a batch is
 * made ({@link org.kindling.data.batch.Batch}). Random transforms draw from the generator they are
 * given, which the trainer seeds per (seed, epoch, partition), so runs are reproducible.
 */
public interface Transform extends Serializable {
    /**
     * @param r the record
     * @param shape its [C, H, W]
     * @param rnd the generator for random transforms
     * @return the transformed record (may be {@code r} itself)
     */
    ImageRecord apply(ImageRecord r, long[] shape, SplittableRandom rnd);

    /** The [C, H, W] of the output for input {@code shape}. */
    default long[] outputShape(long[] shape) {
        return shape.clone();
    }

    /** Transforms applied in order, like {@code transforms.Compose}. */
    static Transform compose(List<Transform> ts) {
        List<Transform> list = List.copyOf(ts);
        return new Transform() {
            @Override
            public ImageRecord apply(ImageRecord r, long[] shape, SplittableRandom rnd) {
                long[] s = shape;
                ImageRecord out = r;
                for (Transform t : list) {
                    out = t.apply(out, s, rnd);
                    s = t.outputShape(s);
                }
                return out;
            }

            @Override
            public long[] outputShape(long[] shape) {
                long[] s = shape;
                for (Transform t : list) s = t.outputShape(s);
                return s;
            }

            @Override
            public String toString() {
                return "Compose(" + list + ")";
            }
        };
    }
}
