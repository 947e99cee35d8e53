package org.kindling.nn.functional;

import org.kindling.nn.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Average pooling with PyTorch's rules: fixed windows ({@code avg_pool2d}: output size as max
 * pooling, {@code count_include_pad} default true, in ceil mode windows are clipped to input +
 * padding) and adaptive windows ({@code adaptive_avg_pool2d}: window i spans {@code
 * [floor(i*H/out), ceil((i+1)*H/out))}).
 */
final class PoolOps {
    private PoolOps() {}

    static Tensor avgPool2d(
            Tensor x, int[] k, int[] s, int[] p, boolean ceil, boolean countIncludePad) {
        INDArray in = x.data();
        int h = (int) in.size(2), w = (int) in.size(3);
        int ho = (int) MaxPool2dOp.outputSize(h, k[0], s[0], p[0], 1, ceil);
        int wo = (int) MaxPool2dOp.outputSize(w, k[1], s[1], p[1], 1, ceil);
        int[][] rows = new int[ho][];
        int[][] cols = new int[wo][];
        double[][] div = new double[ho][wo];
        for (int i = 0; i < ho; i++) {
            int hs = i * s[0] - p[0];
            int he = Math.min(hs + k[0], h + p[0]);
            rows[i] = new int[] {Math.max(hs, 0), Math.min(he, h), he - hs};
        }
        for (int j = 0; j < wo; j++) {
            int ws = j * s[1] - p[1];
            int we = Math.min(ws + k[1], w + p[1]);
            cols[j] = new int[] {Math.max(ws, 0), Math.min(we, w), we - ws};
        }
        for (int i = 0; i < ho; i++) {
            for (int j = 0; j < wo; j++) {
                div[i][j] =
                        countIncludePad
                                ? rows[i][2] * cols[j][2]
                                : (rows[i][1] - rows[i][0]) * (cols[j][1] - cols[j][0]);
            }
        }
        return windows(x, rows, cols, div);
    }

    static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        INDArray in = x.data();
        int h = (int) in.size(2), w = (int) in.size(3);
        int[][] rows = new int[outH][];
        int[][] cols = new int[outW][];
        for (int i = 0; i < outH; i++) {
            rows[i] =
                    new int[] {
                        (int) Math.floor((double) i * h / outH),
                        (int) Math.ceil((double) (i + 1) * h / outH)
                    };
        }
        for (int j = 0; j < outW; j++) {
            cols[j] =
                    new int[] {
                        (int) Math.floor((double) j * w / outW),
                        (int) Math.ceil((double) (j + 1) * w / outW)
                    };
        }
        double[][] div = new double[outH][outW];
        for (int i = 0; i < outH; i++)
            for (int j = 0; j < outW; j++)
                div[i][j] = (rows[i][1] - rows[i][0]) * (cols[j][1] - cols[j][0]);
        return windows(x, rows, cols, div);
    }

    /**
     * Sums each window [rows[i][0], rows[i][1]) x [cols[j][0], cols[j][1]) and divides by
     * div[i][j]: in native ops, as {@code (A x B^T) / div} with constant window matrices ({@link
     * Selections}); backward {@code A^T (g / div) B}.
     */
    private static Tensor windows(Tensor x, int[][] rows, int[][] cols, double[][] div) {
        INDArray in = x.data();
        DataType type = in.dataType();
        INDArray a = Selections.windows(from(rows), to(rows), (int) in.size(2), type);
        INDArray b = Selections.windows(from(cols), to(cols), (int) in.size(3), type);
        int ho = rows.length, wo = cols.length;
        INDArray d =
                Selections.constant(
                        "div" + java.util.Arrays.deepToString(div) + type,
                        () -> Nd4j.create(div).castTo(type).reshape('c', 1, (long) ho * wo));
        long planes = in.size(0) * in.size(1);
        long[] outShape = {in.size(0), in.size(1), ho, wo};
        INDArray out =
                Selections.sandwich(in, a, b)
                        .reshape('c', planes, (long) ho * wo)
                        .diviRowVector(d)
                        .reshape('c', outShape);
        return Tensor.derived(
                out,
                g -> {
                    INDArray gd = g.dup('c').reshape('c', planes, (long) ho * wo).diviRowVector(d);
                    return new INDArray[] {
                        Selections.sandwich(gd.reshape('c', outShape), a.transpose(), b.transpose())
                    };
                },
                x);
    }

    private static int[] from(int[][] ranges) {
        int[] r = new int[ranges.length];
        for (int i = 0; i < r.length; i++) r[i] = ranges[i][0];
        return r;
    }

    private static int[] to(int[][] ranges) {
        int[] r = new int[ranges.length];
        for (int i = 0; i < r.length; i++) r[i] = ranges[i][1];
        return r;
    }
}
