package org.kindling.spark.dl4j;

import java.lang.reflect.Field;
import java.util.Collections;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.AlgoMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdDataAlgo;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdFilterAlgo;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.FwdAlgo;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingHelper;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.kindling.nn.internal.Layout;
import org.kindling.nn.internal.OneDnn;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J layer helpers that run a DL4J network's convolutions and max pooling on the oneDNN 2.5.2
 * kernels of Kindling's own layers ({@link OneDnn}) instead of DL4J's oneDNN helpers (libnd4j's ops
 * on oneDNN 2.3). The network, its parameters and its updater stay DL4J's; what changes is work
 * DL4J's helpers do and need not: the first layer's input gradient (nothing uses it; libnd4j's
 * {@code conv2d_bp} always computes it) and reorders between NCHW and the layout oneDNN's kernels
 * run in: a convolution's output stays NHWC in memory and goes to DL4J as an NCHW view (for
 * identity activations), which max pooling's backward pass reads as it is. docs/PERFORMANCE.md,
 * profile 29.
 *
 * <p>Installed by {@link #install} on layers whose configuration these kernels cover: {@code
 * ConvolutionLayer} and max-pooling {@code SubsamplingLayer} themselves (not subclasses), NCHW, no
 * dilation, not {@code Same} mode, float32 on ND4J's CPU backend. A shape they do not cover
 * (padding that truncates more than it pads) goes to the helper DL4J had installed.
 */
public final class OneDnnHelpers {
    private OneDnnHelpers() {}

    /**
     * Installs the helpers on {@code net}'s eligible layers; returns how many. The first layer's
     * convolution computes no input gradient unless it has dropout (whose backward pass reads it).
     */
    public static int install(MultiLayerNetwork net) {
        if (!OneDnn.available()
                || net.getLayerWiseConfigurations().getDataType() != DataType.FLOAT) {
            return 0;
        }
        int n = 0;
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            if (l.getClass() == ConvolutionLayer.class) {
                org.deeplearning4j.nn.conf.layers.ConvolutionLayer c =
                        (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) l.conf().getLayer();
                if (c.getCnn2dDataFormat() == CNN2DFormat.NCHW
                        && c.getConvolutionMode() != ConvolutionMode.Same
                        && c.getConvolutionMode() != ConvolutionMode.Causal
                        && undilated(c.getDilation())) {
                    boolean inputGradient = l.getIndex() > 0 || c.getIDropout() != null;
                    // DL4J's activations other than the identity run slowly on strided views
                    boolean view = c.getActivationFn() instanceof ActivationIdentity;
                    set(
                            ConvolutionLayer.class,
                            l,
                            new Conv((ConvolutionHelper) l.getHelper(), inputGradient, view));
                    n++;
                }
            } else if (l.getClass() == SubsamplingLayer.class) {
                org.deeplearning4j.nn.conf.layers.SubsamplingLayer s =
                        (org.deeplearning4j.nn.conf.layers.SubsamplingLayer) l.conf().getLayer();
                if (s.getCnn2dDataFormat() == CNN2DFormat.NCHW
                        && s.getPoolingType() == PoolingType.MAX
                        && s.getConvolutionMode() != ConvolutionMode.Same
                        && s.getConvolutionMode() != ConvolutionMode.Causal
                        && undilated(s.getDilation())) {
                    set(SubsamplingLayer.class, l, new Pool((SubsamplingHelper) l.getHelper()));
                    n++;
                }
            }
        }
        return n;
    }

    private static boolean undilated(int[] d) {
        return d == null || (d[0] == 1 && d[1] == 1);
    }

    private static void set(Class<?> layerClass, Object layer, Object helper) {
        try {
            Field f = layerClass.getDeclaredField("helper");
            f.setAccessible(true);
            f.set(layer, helper);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "cannot install Kindling's oneDNN helper on DL4J's "
                            + layerClass.getSimpleName()
                            + " (DL4J version other than 1.0.0-M2.1?): "
                            + e,
                    e);
        }
    }

    /** Output size of one spatial dimension; -1 when the window truncates more than it pads. */
    private static long outSize(long in, int k, int s, int p, ConvolutionMode mode) {
        long span = in + 2L * p - k;
        if (span < 0 || (mode == ConvolutionMode.Strict && span % s != 0)) {
            return -1; // DL4J's own path reports the error
        }
        long out = span / s + 1;
        long rightPad = (out - 1) * s + k - in - p;
        return rightPad < 0 ? -1 : out;
    }

    /** {@code a} [N, C, H, W] as [N, H, W, C]: a view, contiguous if the memory is NHWC. */
    private static INDArray nhwc(INDArray a) {
        return a.permute(0, 2, 3, 1);
    }

    /** {@code a} [N, H, W, C] as the [N, C, H, W] view DL4J works with. */
    private static INDArray nchw(INDArray a) {
        return a.permute(0, 3, 1, 2);
    }

    /**
     * What both helpers share: the helper DL4J had installed, for shapes the kernels do not cover
     * (null: none, and DL4J falls back to its built-in path).
     */
    private abstract static class Delegating<H extends LayerHelper> implements LayerHelper {
        private final H fallback;
        private final String what;

        Delegating(H fallback, String what) {
            this.fallback = fallback;
            this.what = what;
        }

        final H fallback() {
            if (fallback == null) {
                throw new UnsupportedOperationException(
                        "a " + what + " shape Kindling's oneDNN kernels do not cover");
            }
            return fallback;
        }

        @Override
        public boolean checkSupported() {
            return true;
        }

        @Override
        public Map<String, Long> helperMemoryUse() {
            return Collections.emptyMap();
        }
    }

    /** [N, C, H, W] dimensions in NHWC memory order: [N, H, W, C]. */
    private static long[] nhwcShape(long[] nchw) {
        return new long[] {nchw[0], nchw[2], nchw[3], nchw[1]};
    }

    /** A convolution ({@code ConvolutionLayer}) on {@link OneDnn}. */
    static final class Conv extends Delegating<ConvolutionHelper> implements ConvolutionHelper {
        private final boolean inputGradient;
        private final boolean view;

        /**
         * @param inputGradient whether the backward pass computes the input gradient
         * @param view whether the output is an NCHW view of NHWC memory (else an NCHW copy)
         */
        Conv(ConvolutionHelper fallback, boolean inputGradient, boolean view) {
            super(fallback, "convolution");
            this.inputGradient = inputGradient;
            this.view = view;
        }

        /** Whether the first layer's backward pass computes its input gradient (tests). */
        boolean inputGradient() {
            return inputGradient;
        }

        private static long[] outShape(
                INDArray input, INDArray w, int[] k, int[] s, int[] p, ConvolutionMode mode) {
            long oh = outSize(input.size(2), k[0], s[0], p[0], mode);
            long ow = outSize(input.size(3), k[1], s[1], p[1], mode);
            if (oh < 1 || ow < 1 || !OneDnn.available(input, w)) {
                return null;
            }
            return new long[] {input.size(0), oh, ow, w.size(0)};
        }

        @Override
        public INDArray preOutput(
                INDArray input,
                INDArray weights,
                INDArray bias,
                int[] kernel,
                int[] strides,
                int[] pad,
                AlgoMode mode,
                FwdAlgo fwdAlgo,
                ConvolutionMode convolutionMode,
                int[] dilation,
                CNN2DFormat format,
                LayerWorkspaceMgr workspaceMgr) {
            long[] out = outShape(input, weights, kernel, strides, pad, convolutionMode);
            if (out == null) {
                return fallback()
                        .preOutput(
                                input,
                                weights,
                                bias,
                                kernel,
                                strides,
                                pad,
                                mode,
                                fwdAlgo,
                                convolutionMode,
                                dilation,
                                format,
                                workspaceMgr);
            }
            INDArray z =
                    workspaceMgr.createUninitialized(
                            ArrayType.ACTIVATIONS, DataType.FLOAT, out, 'c');
            OneDnn.convForward(nhwc(input), weights, bias, strides, pad, z);
            if (view) {
                return nchw(z);
            }
            INDArray c =
                    workspaceMgr.createUninitialized(
                            ArrayType.ACTIVATIONS, DataType.FLOAT, nchw(z).shape(), 'c');
            return c.assign(nchw(z));
        }

        @Override
        public INDArray activate(INDArray z, IActivation afn, boolean training) {
            return afn.getActivation(z, training);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(
                INDArray input,
                INDArray weights,
                INDArray bias,
                INDArray delta,
                int[] kernel,
                int[] strides,
                int[] pad,
                INDArray biasGradView,
                INDArray weightGradView,
                IActivation afn,
                AlgoMode mode,
                BwdFilterAlgo bwdFilterAlgo,
                BwdDataAlgo bwdDataAlgo,
                ConvolutionMode convolutionMode,
                int[] dilation,
                CNN2DFormat format,
                LayerWorkspaceMgr workspaceMgr) {
            if (outShape(input, weights, kernel, strides, pad, convolutionMode) == null) {
                return fallback()
                        .backpropGradient(
                                input,
                                weights,
                                bias,
                                delta,
                                kernel,
                                strides,
                                pad,
                                biasGradView,
                                weightGradView,
                                afn,
                                mode,
                                bwdFilterAlgo,
                                bwdDataAlgo,
                                convolutionMode,
                                dilation,
                                format,
                                workspaceMgr);
            }
            INDArray go = nhwc(delta);
            // DL4J's gradient views sit inside its flat gradient vector; oneDNN writes arrays at
            // the start of their buffer, so the kernel writes scratch arrays copied into them
            INDArray gw =
                    workspaceMgr.createUninitialized(
                            ArrayType.BP_WORKING_MEM, DataType.FLOAT, weightGradView.shape(), 'c');
            INDArray gb =
                    biasGradView == null
                            ? null
                            : workspaceMgr.createUninitialized(
                                    ArrayType.BP_WORKING_MEM,
                                    DataType.FLOAT,
                                    new long[] {biasGradView.length()},
                                    'c');
            OneDnn.convWeightGradients(nhwc(input), go, strides, pad, gw, gb);
            weightGradView.assign(gw);
            Gradient g = new DefaultGradient();
            if (biasGradView != null) {
                biasGradView.assign(gb.reshape(biasGradView.shape()));
                g.gradientForVariable().put(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
            }
            g.gradientForVariable().put(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView);
            INDArray epsilon = null;
            if (inputGradient) {
                INDArray gx =
                        workspaceMgr.createUninitialized(
                                ArrayType.ACTIVATION_GRAD,
                                DataType.FLOAT,
                                nhwcShape(input.shape()),
                                'c');
                OneDnn.convBackwardData(go, weights, strides, pad, gx, bias != null);
                epsilon = nchw(gx);
            }
            return new Pair<>(g, epsilon);
        }
    }

    /**
     * Max pooling's backward pass ({@code SubsamplingLayer}) on {@link OneDnn}. DL4J 1.0.0-M2.1's
     * layer runs its forward pass itself (libnd4j's {@code maxpool2d}) and asks its helper for the
     * backward pass only, so that finds the maxima again, as DL4J's own helper does: oneDNN's
     * training-mode forward pass keeps their positions for its backward pass.
     */
    static final class Pool extends Delegating<SubsamplingHelper> implements SubsamplingHelper {
        Pool(SubsamplingHelper fallback) {
            super(fallback, "pooling");
        }

        private static long[] outShape(
                INDArray input, int[] k, int[] s, int[] p, ConvolutionMode m) {
            long oh = outSize(input.size(2), k[0], s[0], p[0], m);
            long ow = outSize(input.size(3), k[1], s[1], p[1], m);
            if (oh < 1 || ow < 1 || !OneDnn.available(input)) {
                return null;
            }
            return new long[] {input.size(0), input.size(1), oh, ow};
        }

        /** DL4J 1.0.0-M2.1 does not call this (see above); DL4J's helper answers it. */
        @Override
        public INDArray activate(
                INDArray input,
                boolean training,
                int[] kernel,
                int[] strides,
                int[] pad,
                PoolingType poolingType,
                ConvolutionMode convolutionMode,
                int[] dilation,
                CNN2DFormat format,
                LayerWorkspaceMgr workspaceMgr) {
            return fallback()
                    .activate(
                            input,
                            training,
                            kernel,
                            strides,
                            pad,
                            poolingType,
                            convolutionMode,
                            dilation,
                            format,
                            workspaceMgr);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(
                INDArray input,
                INDArray epsilon,
                int[] kernel,
                int[] strides,
                int[] pad,
                PoolingType poolingType,
                ConvolutionMode convolutionMode,
                int[] dilation,
                CNN2DFormat format,
                LayerWorkspaceMgr workspaceMgr) {
            long[] out = outShape(input, kernel, strides, pad, convolutionMode);
            if (out == null) {
                return fallback()
                        .backpropGradient(
                                input,
                                epsilon,
                                kernel,
                                strides,
                                pad,
                                poolingType,
                                convolutionMode,
                                dilation,
                                format,
                                workspaceMgr);
            }
            boolean nhwc = nhwcInMemory(input);
            INDArray in = nhwc ? nhwc(input) : input;
            long[] outMem = layout(out, nhwc);
            INDArray pooled =
                    workspaceMgr.createUninitialized(
                            ArrayType.BP_WORKING_MEM, DataType.FLOAT, outMem, 'c');
            long bytes =
                    OneDnn.maxPoolWorkspaceBytes(in.shape(), outMem, nhwc, kernel, strides, pad);
            INDArray ws =
                    workspaceMgr.createUninitialized(
                            ArrayType.BP_WORKING_MEM, DataType.BYTE, new long[] {bytes}, 'c');
            OneDnn.maxPoolForward(in, nhwc, kernel, strides, pad, pooled, ws);
            INDArray gi =
                    workspaceMgr.createUninitialized(
                            ArrayType.ACTIVATION_GRAD,
                            DataType.FLOAT,
                            layout(input.shape(), nhwc),
                            'c');
            OneDnn.maxPoolBackward(
                    nhwc ? nhwc(epsilon) : epsilon, ws, nhwc, kernel, strides, pad, gi);
            return new Pair<>(new DefaultGradient(), nhwc ? nchw(gi) : gi);
        }

        /** Whether [N, C, H, W] {@code a} is a view of NHWC memory (a convolution's output). */
        private static boolean nhwcInMemory(INDArray a) {
            return !Layout.isRowMajor(a) && Layout.isRowMajor(nhwc(a));
        }

        /** [N, C, H, W] dimensions in memory order: as they are, or [N, H, W, C]. */
        private static long[] layout(long[] nchw, boolean nhwc) {
            return nhwc ? nhwcShape(nchw) : nchw;
        }
    }
}
