package org.kindling.nn.training;

import java.util.List;
import org.kindling.nn.internal.HostCopy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Reads ranges of a vector made of several arrays laid end to end (a learner's parameters,
 * optimizer state and buffers) as float32, copying only the range asked for.
 */
public final class FlatVector {
    private final List<INDArray> segments;
    private final long length;

    /** The segments in order; each is read as a flat C-order vector. */
    public FlatVector(List<INDArray> segments) {
        this.segments = segments;
        long n = 0;
        for (INDArray s : segments) n += s.length();
        this.length = n;
    }

    /** Total number of elements. */
    public long length() {
        return length;
    }

    /** Elements {@code [from, to)} as a new float array. */
    public float[] slice(long from, long to) {
        checkRange(from, to);
        float[] out = new float[(int) (to - from)];
        sliceInto(from, to, out, 0);
        return out;
    }

    /**
     * Copies elements {@code [from, to)} into {@code out} from {@code offset}, reading each
     * segment's part in one copy where it can ({@link HostCopy#from}).
     */
    public void sliceInto(long from, long to, float[] out, int offset) {
        checkRange(from, to);
        if (offset < 0 || offset + (to - from) > out.length) {
            throw new IllegalArgumentException(
                    "slice of "
                            + (to - from)
                            + " elements into an array of "
                            + out.length
                            + " from "
                            + offset);
        }
        long base = 0;
        int written = offset;
        for (INDArray s : segments) {
            long n = s.length();
            long a = Math.max(from, base);
            long b = Math.min(to, base + n);
            if (a < b) {
                INDArray flat = s.reshape(n); // a view of a contiguous array
                INDArray part = flat.get(NDArrayIndex.interval(a - base, b - base));
                // no float[] per part: the exchange slices every round
                HostCopy.from(part, out, written);
                written += (int) (b - a);
            }
            base += n;
        }
    }

    private void checkRange(long from, long to) {
        if (from < 0 || to > length || from > to) {
            throw new IllegalArgumentException(
                    "slice [" + from + ", " + to + ") of a vector of " + length);
        }
    }
}
