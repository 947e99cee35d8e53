package org.kindling.nn.functional;

import org.kindling.nn.Tensor;
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
     * div[i][j].
     */
    private static Tensor windows(Tensor x, int[][] rows, int[][] cols, double[][] div) {
        INDArray in = x.data();
        int planes = (int) (in.size(0) * in.size(1));
        int h = (int) in.size(2), w = (int) in.size(3);
        int ho = rows.length, wo = cols.length;
        double[] src = in.dup('c').data().asDouble();
        double[] dst = new double[planes * ho * wo];
        for (int pl = 0; pl < planes; pl++) {
            int base = pl * h * w;
            for (int i = 0; i < ho; i++) {
                for (int j = 0; j < wo; j++) {
                    double sum = 0;
                    for (int r = rows[i][0]; r < rows[i][1]; r++)
                        for (int c = cols[j][0]; c < cols[j][1]; c++) sum += src[base + r * w + c];
                    dst[(pl * ho + i) * wo + j] = sum / div[i][j];
                }
            }
        }
        long[] outShape = {in.size(0), in.size(1), ho, wo};
        return Tensor.derived(
                Nd4j.create(dst, outShape, in.dataType()),
                g -> {
                    double[] gs = g.dup('c').data().asDouble();
                    double[] gi = new double[src.length];
                    for (int pl = 0; pl < planes; pl++) {
                        int base = pl * h * w;
                        for (int i = 0; i < ho; i++) {
                            for (int j = 0; j < wo; j++) {
                                double v = gs[(pl * ho + i) * wo + j] / div[i][j];
                                for (int r = rows[i][0]; r < rows[i][1]; r++)
                                    for (int c = cols[j][0]; c < cols[j][1]; c++)
                                        gi[base + r * w + c] += v;
                            }
                        }
                    }
                    return new INDArray[] {Nd4j.create(gi, in.shape(), in.dataType())};
                },
                x);
    }
}
