package org.kindling.nn.internal;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCRATCHPAD;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oi;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_backward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_max;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_scratchpad_mode;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_scratchpad_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_workspace_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_scratchpad_mode_user;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

import java.lang.ref.Cleaner;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_inner_product_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Convolutions and max pooling Kindling runs in oneDNN itself (JavaCPP's build of oneDNN 2.5.2,
 * {@code org.bytedeco:dnnl}) instead of through libnd4j's ops on the oneDNN 2.3 libnd4j bundles,
 * for what those ops cannot do: a convolution's backward pass computes the input gradient only
 * where the input needs one (libnd4j's {@code conv2d_bp} always computes both; the first layer's
 * weight gradient took ~8.8 ms per step on libnd4j, oneDNN's backward-weights kernel takes ~1.3
 * ms), and max pooling's backward pass reads the positions of the maxima its forward pass kept
 * (libnd4j's {@code maxpool2d_bp} runs the forward pass again). docs/PERFORMANCE.md, profile 28.
 *
 * <p>Arrays are row-major: activations [N, H, W, C] (max pooling's also [N, C, H, W]), weights
 * PyTorch's [out, in, kH, kW], bias [out]; weights are reordered to and from each kernel's own
 * layout on every call (tens of microseconds). CPU and float32 only ({@link #available}); callers
 * keep libnd4j's ops for the rest (the CUDA backend, float64). Primitives are built once per shape
 * and shared by all threads; they run with a scratchpad of the calling thread's, so concurrent
 * learners share no scratch memory, and each thread has its own stream. The process has one OpenMP
 * runtime: this oneDNN links against the {@code libgomp} libnd4j loaded, so ND4J's thread count
 * applies to both.
 */
public final class OneDnn {
    private static final dnnl_engine ENGINE = engine();
    private static final Cleaner CLEANER = Cleaner.create();
    private static final ConcurrentHashMap<ConvKey, Weighted> CONV = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<PoolKey, Pool> POOL = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<LinearKey, Weighted> LINEAR = new ConcurrentHashMap<>();
    private static final ThreadLocal<dnnl_stream> STREAM = ThreadLocal.withInitial(OneDnn::stream);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final ThreadLocal<Scratch> WEIGHTS = ThreadLocal.withInitial(Scratch::new);

    private OneDnn() {}

    /** Whether these arrays can go to this class's kernels: ND4J's CPU backend, float32. */
    public static boolean available(INDArray... arrays) {
        if (!Nd4j.getEnvironment().isCPU()) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a != null && a.dataType() != DataType.FLOAT) {
                return false;
            }
        }
        return true;
    }

    /**
     * The convolution of {@code in} [N, H, W, C] with {@code w} [out, C, kH, kW] and {@code b}
     * (null: none), undilated and ungrouped, into {@code out} [N, outH, outW, out].
     */
    public static void convForward(
            INDArray in, INDArray w, INDArray b, int[] stride, int[] pad, INDArray out) {
        in = plain(in);
        w = plain(w);
        b = b == null ? null : plain(b);
        output(out);
        conv(in.shape(), w.shape(), out.shape(), stride, pad, b != null).forward(in, w, b, out);
    }

    /** The input gradient {@code gx} [N, H, W, C] of {@link #convForward}, from {@code go}. */
    public static void convBackwardData(
            INDArray go, INDArray w, int[] stride, int[] pad, INDArray gx, boolean bias) {
        go = plain(go);
        w = plain(w);
        output(gx);
        conv(gx.shape(), w.shape(), go.shape(), stride, pad, bias).backwardData(go, w, gx);
    }

    /**
     * The weight gradient {@code gw} [out, C, kH, kW] and, unless null, the bias gradient {@code
     * gb} [out] of {@link #convForward}, from its input {@code in} and output gradient {@code go}.
     */
    public static void convWeightGradients(
            INDArray in, INDArray go, int[] stride, int[] pad, INDArray gw, INDArray gb) {
        in = plain(in);
        go = plain(go);
        output(gw);
        if (gb != null) {
            output(gb);
        }
        conv(in.shape(), gw.shape(), go.shape(), stride, pad, gb != null)
                .backwardWeights(in, go, gw, gb);
    }

    /**
     * Max pooling of {@code in} ([N, H, W, C] if {@code nhwc}, else [N, C, H, W]) into {@code out}
     * (same layout), PyTorch's rules without ceil mode or dilation: padding never wins, the first
     * maximum in window order does. With {@code workspace} (from {@link #maxPoolWorkspace}) the
     * positions of the maxima are kept there for {@link #maxPoolBackward}; without, inference.
     */
    public static void maxPoolForward(
            INDArray in,
            boolean nhwc,
            int[] k,
            int[] s,
            int[] p,
            INDArray out,
            INDArray workspace) {
        in = plain(in);
        output(out);
        pool(in.shape(), out.shape(), nhwc, k, s, p).forward(in, out, workspace);
    }

    /**
     * A workspace for {@link #maxPoolForward} with these arrays' shapes, in the current workspace.
     */
    public static INDArray maxPoolWorkspace(
            long[] in, long[] out, boolean nhwc, int[] k, int[] s, int[] p) {
        return Nd4j.createUninitialized(
                DataType.BYTE, maxPoolWorkspaceBytes(in, out, nhwc, k, s, p));
    }

    /** The size of {@link #maxPoolWorkspace}, for callers that allocate it themselves (bytes). */
    public static long maxPoolWorkspaceBytes(
            long[] in, long[] out, boolean nhwc, int[] k, int[] s, int[] p) {
        return Math.max(1, pool(in, out, nhwc, k, s, p).workspaceBytes);
    }

    /**
     * The input gradient {@code gi} of {@link #maxPoolForward} from {@code go} and its workspace.
     */
    public static void maxPoolBackward(
            INDArray go, INDArray workspace, boolean nhwc, int[] k, int[] s, int[] p, INDArray gi) {
        go = plain(go);
        output(gi);
        pool(gi.shape(), go.shape(), nhwc, k, s, p).backward(go, workspace, gi);
    }

    /**
     * The linear map {@code out} [N, out] = {@code in} [N, in] times {@code w} [out, in] transposed
     * plus {@code b} [out] (null: none), as {@code torch.nn.functional.linear}.
     */
    public static void linearForward(INDArray in, INDArray w, INDArray b, INDArray out) {
        in = plain(in);
        w = plain(w);
        b = b == null ? null : plain(b);
        output(out);
        linear(in.size(0), in.size(1), w.size(0), b != null).forward(in, w, b, out);
    }

    /** The input gradient {@code gx} [N, in] of {@link #linearForward}, from {@code go}. */
    public static void linearBackwardData(INDArray go, INDArray w, INDArray gx, boolean bias) {
        go = plain(go);
        w = plain(w);
        output(gx);
        linear(gx.size(0), gx.size(1), w.size(0), bias).backwardData(go, w, gx);
    }

    /**
     * The weight gradient {@code gw} [out, in] and, unless null, the bias gradient {@code gb} [out]
     * of {@link #linearForward}, from its input {@code in} and output gradient {@code go}.
     */
    public static void linearWeightGradients(INDArray in, INDArray go, INDArray gw, INDArray gb) {
        in = plain(in);
        go = plain(go);
        output(gw);
        if (gb != null) {
            output(gb);
        }
        linear(in.size(0), in.size(1), gw.size(0), gb != null).backwardWeights(in, go, gw, gb);
    }

    private static Weighted linear(long n, long in, long out, boolean bias) {
        return LINEAR.computeIfAbsent(new LinearKey(n, in, out, bias), Weighted::linear);
    }

    private static Pool pool(long[] in, long[] out, boolean nhwc, int[] k, int[] s, int[] p) {
        // oneDNN's dimensions are N, C, H, W whatever the layout
        long[] i = nhwc ? new long[] {in[0], in[3], in[1], in[2]} : in;
        long[] o = nhwc ? new long[] {out[0], out[3], out[1], out[2]} : out;
        PoolKey key = new PoolKey(i[0], i[1], new Window(i[2], i[3], o[2], o[3], k, s, p), nhwc);
        return POOL.computeIfAbsent(key, Pool::new);
    }

    private static Weighted conv(
            long[] in, long[] w, long[] out, int[] stride, int[] pad, boolean bias) {
        int[] kernel = {(int) w[2], (int) w[3]};
        ConvKey key =
                new ConvKey(
                        in[0],
                        in[3],
                        w[0],
                        new Window(in[1], in[2], out[1], out[2], kernel, stride, pad),
                        bias);
        return CONV.computeIfAbsent(key, Weighted::conv);
    }

    /** {@code a} if row-major at the start of its buffer, else such a copy. */
    private static INDArray plain(INDArray a) {
        return Layout.isRowMajor(a) && a.offset() == 0 ? a : a.dup('c');
    }

    private static void output(INDArray a) {
        if (!Layout.isRowMajor(a) || a.offset() != 0) {
            throw new IllegalArgumentException(
                    "oneDNN kernels write row-major arrays at the start of their buffer only");
        }
    }

    private static dnnl_engine engine() {
        dnnl_engine e = new dnnl_engine();
        check(dnnl_engine_create(e, dnnl_cpu, 0), "engine_create");
        return e;
    }

    private static dnnl_stream stream() {
        dnnl_stream s = new dnnl_stream();
        check(dnnl_stream_create(s, ENGINE, dnnl_stream_default_flags), "stream_create");
        return s;
    }

    private static void check(int status, String call) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN " + call + " failed with status " + status);
        }
    }

    private static dnnl_memory_desc_t desc(int tag, long... dims) {
        dnnl_memory_desc_t d = new dnnl_memory_desc_t();
        check(
                dnnl_memory_desc_init_by_tag(d, dims.length, dims, dnnl_f32, tag),
                "memory_desc_init");
        return d;
    }

    private static dnnl_memory memory(dnnl_memory_desc_t d, Pointer data) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, d, ENGINE, data), "memory_create");
        return m;
    }

    private static Pointer data(INDArray a) {
        return a.data().addressPointer();
    }

    private static dnnl_primitive_desc primitiveDesc(
            Pointer opDesc, dnnl_primitive_attr attr, dnnl_primitive_desc hint, String what) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(
                dnnl_primitive_desc_create(
                        pd, new const_dnnl_op_desc_t(opDesc), attr, ENGINE, hint),
                "primitive_desc_create (" + what + ")");
        return pd;
    }

    private static dnnl_primitive primitive(dnnl_primitive_desc pd, String what) {
        dnnl_primitive p = new dnnl_primitive();
        check(dnnl_primitive_create(p, pd), "primitive_create (" + what + ")");
        return p;
    }

    /** Attributes for primitives that take the caller's scratchpad (safe to share by threads). */
    private static dnnl_primitive_attr userScratchpad() {
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "primitive_attr_create");
        check(
                dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user),
                "set_scratchpad_mode");
        return attr;
    }

    /** A reorder between two layouts of one tensor, or null if they are the same. */
    private static dnnl_primitive reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
        if (dnnl_memory_desc_equal(from, to) != 0) {
            return null;
        }
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(
                dnnl_reorder_primitive_desc_create(pd, from, ENGINE, to, ENGINE, null),
                "reorder_primitive_desc_create");
        return primitive(pd, "reorder");
    }

    /**
     * A primitive's arguments, one set per thread and primitive: the memory objects are created on
     * the first call and later only pointed at the call's arrays (no native allocation per call).
     */
    private static final class Args {
        private static final int CAPACITY = 6;
        final dnnl_exec_arg_t args = new dnnl_exec_arg_t(CAPACITY);
        final dnnl_memory[] memories = new dnnl_memory[CAPACITY];
        final int[] ids = new int[CAPACITY];
        int n;

        Args() {
            // a thread's arguments go with the thread: free oneDNN's memory objects then
            dnnl_memory[] m = memories;
            CLEANER.register(
                    this,
                    () -> {
                        for (dnnl_memory x : m) {
                            if (x != null) {
                                dnnl_memory_destroy(x);
                            }
                        }
                    });
        }

        Args begin() {
            n = 0;
            return this;
        }

        Args add(int arg, dnnl_memory_desc_t d, Pointer data) {
            if (memories[n] != null && ids[n] != arg) {
                dnnl_memory_destroy(memories[n]);
                memories[n] = null;
            }
            if (memories[n] == null) {
                memories[n] = memory(d, data);
                ids[n] = arg;
                args.position(n).arg(arg).memory(memories[n]);
            } else {
                check(dnnl_memory_set_data_handle(memories[n], data), "memory_set_data_handle");
            }
            n++;
            return this;
        }

        void execute(dnnl_primitive p, dnnl_stream s, String what) {
            check(dnnl_primitive_execute(p, s, n, args.position(0)), "execute (" + what + ")");
        }
    }

    private static void runReorder(
            dnnl_primitive r,
            Args a,
            dnnl_memory_desc_t from,
            Pointer src,
            dnnl_memory_desc_t to,
            Pointer dst,
            dnnl_stream s) {
        a.begin().add(DNNL_ARG_FROM, from, src).add(DNNL_ARG_TO, to, dst).execute(r, s, "reorder");
    }

    /** A thread's scratch memory, grown as needed and kept. */
    private static final class Scratch {
        private BytePointer p;

        BytePointer get(long bytes) {
            if (p == null || p.capacity() < bytes) {
                if (p != null) {
                    p.close();
                }
                p = new BytePointer(Math.max(64, bytes));
            }
            return p;
        }
    }

    /**
     * Where a kernel window goes over one [H, W] plane: input and output size, window, stride and
     * padding before the input, as oneDNN's descriptors take them.
     */
    private record Window(
            long h,
            long w,
            long outH,
            long outW,
            int kH,
            int kW,
            int strideH,
            int strideW,
            int padH,
            int padW) {
        Window(long h, long w, long outH, long outW, int[] k, int[] s, int[] p) {
            this(h, w, outH, outW, k[0], k[1], s[0], s[1], p[0], p[1]);
        }

        long[] kernel() {
            return new long[] {kH, kW};
        }

        long[] strides() {
            return new long[] {strideH, strideW};
        }

        long[] padLeft() {
            return new long[] {padH, padW};
        }

        /** The padding after the input that makes the output's windows fit. */
        long[] padRight() {
            return new long[] {
                (outH - 1) * strideH + kH - h - padH, (outW - 1) * strideW + kW - w - padW
            };
        }
    }

    private record ConvKey(long n, long c, long out, Window win, boolean bias) {}

    private record LinearKey(long n, long in, long out, boolean bias) {}

    /**
     * One shape of a layer with weights, a convolution or a linear map (oneDNN's inner product):
     * its forward and two backward primitives and their weight reorders. Only the descriptors
     * differ between the two; the calls are the same.
     */
    private static final class Weighted {
        final dnnl_memory_desc_t src;
        final dnnl_memory_desc_t dst;
        final dnnl_memory_desc_t bias;
        final Kernel forward;
        final Kernel backwardData;
        final Kernel backwardWeights;

        /**
         * From the operation descriptors of the three directions, which take {@code src}, {@code
         * dst}, {@code bias} (null: none) and weights in any layout; {@code plain} is the weights'
         * layout in the caller's arrays.
         */
        private Weighted(
                dnnl_memory_desc_t src,
                dnnl_memory_desc_t dst,
                dnnl_memory_desc_t bias,
                dnnl_memory_desc_t plain,
                Pointer fwd,
                Pointer bwdData,
                Pointer bwdWeights,
                String what) {
            this.src = src;
            this.dst = dst;
            this.bias = bias;
            dnnl_primitive_attr attr = userScratchpad();
            dnnl_primitive_desc fpd = primitiveDesc(fwd, attr, null, what + " forward");
            forward = new Kernel(fpd, dnnl_query_weights_md, plain, true, what + " forward");
            backwardData =
                    new Kernel(
                            primitiveDesc(bwdData, attr, fpd, what + " backward data"),
                            dnnl_query_weights_md,
                            plain,
                            true,
                            what + " backward data");
            backwardWeights =
                    new Kernel(
                            primitiveDesc(bwdWeights, attr, fpd, what + " backward weights"),
                            dnnl_query_diff_weights_md,
                            plain,
                            false,
                            what + " backward weights");
        }

        static Weighted conv(ConvKey k) {
            Window g = k.win;
            dnnl_memory_desc_t src = desc(dnnl_nhwc, k.n, k.c, g.h, g.w);
            dnnl_memory_desc_t dst = desc(dnnl_nhwc, k.n, k.out, g.outH, g.outW);
            dnnl_memory_desc_t weights = desc(dnnl_format_tag_any, k.out, k.c, g.kH, g.kW);
            dnnl_memory_desc_t bias = k.bias ? desc(dnnl_a, k.out) : null;
            long[] strides = g.strides();
            long[] padL = g.padLeft();
            long[] padR = g.padRight();
            int direct = dnnl_convolution_direct;
            dnnl_convolution_desc_t fwd = new dnnl_convolution_desc_t();
            check(
                    dnnl_convolution_forward_desc_init(
                            fwd,
                            dnnl_forward_training,
                            direct,
                            src,
                            weights,
                            bias,
                            dst,
                            strides,
                            padL,
                            padR),
                    "convolution_forward_desc_init");
            dnnl_convolution_desc_t bwdData = new dnnl_convolution_desc_t();
            check(
                    dnnl_convolution_backward_data_desc_init(
                            bwdData, direct, src, weights, dst, strides, padL, padR),
                    "convolution_backward_data_desc_init");
            dnnl_convolution_desc_t bwdWeights = new dnnl_convolution_desc_t();
            check(
                    dnnl_convolution_backward_weights_desc_init(
                            bwdWeights, direct, src, weights, bias, dst, strides, padL, padR),
                    "convolution_backward_weights_desc_init");
            dnnl_memory_desc_t oihw = desc(dnnl_oihw, k.out, k.c, g.kH, g.kW);
            return new Weighted(src, dst, bias, oihw, fwd, bwdData, bwdWeights, "convolution");
        }

        static Weighted linear(LinearKey k) {
            dnnl_memory_desc_t src = desc(dnnl_nc, k.n, k.in);
            dnnl_memory_desc_t dst = desc(dnnl_nc, k.n, k.out);
            dnnl_memory_desc_t weights = desc(dnnl_format_tag_any, k.out, k.in);
            dnnl_memory_desc_t bias = k.bias ? desc(dnnl_a, k.out) : null;
            dnnl_inner_product_desc_t fwd = new dnnl_inner_product_desc_t();
            check(
                    dnnl_inner_product_forward_desc_init(
                            fwd, dnnl_forward_training, src, weights, bias, dst),
                    "inner_product_forward_desc_init");
            dnnl_inner_product_desc_t bwdData = new dnnl_inner_product_desc_t();
            check(
                    dnnl_inner_product_backward_data_desc_init(bwdData, src, weights, dst),
                    "inner_product_backward_data_desc_init");
            dnnl_inner_product_desc_t bwdWeights = new dnnl_inner_product_desc_t();
            check(
                    dnnl_inner_product_backward_weights_desc_init(
                            bwdWeights, src, weights, bias, dst),
                    "inner_product_backward_weights_desc_init");
            dnnl_memory_desc_t oi = desc(dnnl_oi, k.out, k.in);
            return new Weighted(src, dst, bias, oi, fwd, bwdData, bwdWeights, "linear");
        }

        void forward(INDArray in, INDArray w, INDArray b, INDArray out) {
            dnnl_stream s = STREAM.get();
            Pointer weights = forward.weightsIn(data(w), s);
            Args a = forward.args();
            a.add(DNNL_ARG_SRC, src, data(in)).add(DNNL_ARG_WEIGHTS, forward.weights, weights);
            if (bias != null) {
                a.add(DNNL_ARG_BIAS, bias, data(b));
            }
            a.add(DNNL_ARG_DST, dst, data(out));
            forward.run(a, s);
        }

        void backwardData(INDArray go, INDArray w, INDArray gx) {
            dnnl_stream s = STREAM.get();
            Pointer weights = backwardData.weightsIn(data(w), s);
            Args a =
                    backwardData
                            .args()
                            .add(DNNL_ARG_DIFF_DST, dst, data(go))
                            .add(DNNL_ARG_WEIGHTS, backwardData.weights, weights)
                            .add(DNNL_ARG_DIFF_SRC, src, data(gx));
            backwardData.run(a, s);
        }

        void backwardWeights(INDArray in, INDArray go, INDArray gw, INDArray gb) {
            dnnl_stream s = STREAM.get();
            Kernel k = backwardWeights;
            Pointer weights = k.reorder == null ? data(gw) : WEIGHTS.get().get(k.weightsBytes);
            Args a =
                    k.args()
                            .add(DNNL_ARG_SRC, src, data(in))
                            .add(DNNL_ARG_DIFF_DST, dst, data(go))
                            .add(DNNL_ARG_DIFF_WEIGHTS, k.weights, weights);
            if (bias != null) {
                a.add(DNNL_ARG_DIFF_BIAS, bias, data(gb));
            }
            k.run(a, s);
            if (k.reorder != null) {
                runReorder(k.reorder, k.reorderArgs(), k.weights, weights, k.plain, data(gw), s);
            }
            check(dnnl_stream_wait(s), "stream_wait");
        }
    }

    private record PoolKey(long n, long c, Window win, boolean nhwc) {}

    /** One max-pooling shape: training (with workspace), inference and backward primitives. */
    private static final class Pool {
        final dnnl_memory_desc_t src;
        final dnnl_memory_desc_t dst;
        final dnnl_memory_desc_t workspace;
        final long workspaceBytes;
        final Kernel training;
        final Kernel inference;
        final Kernel backward;

        Pool(PoolKey k) {
            int tag = k.nhwc ? dnnl_nhwc : dnnl_nchw;
            Window g = k.win;
            src = desc(tag, k.n, k.c, g.h, g.w);
            dst = desc(tag, k.n, k.c, g.outH, g.outW);
            long[] strides = g.strides();
            long[] kernel = g.kernel();
            long[] padL = g.padLeft();
            long[] padR = g.padRight();
            dnnl_primitive_attr attr = userScratchpad();
            dnnl_pooling_desc_t fwd = new dnnl_pooling_desc_t();
            check(
                    dnnl_pooling_forward_desc_init(
                            fwd,
                            dnnl_forward_training,
                            dnnl_pooling_max,
                            src,
                            dst,
                            strides,
                            kernel,
                            padL,
                            padR),
                    "pooling_forward_desc_init");
            dnnl_primitive_desc fpd = primitiveDesc(fwd, attr, null, "max pooling forward");
            training = new Kernel(fpd, "max pooling forward");
            workspace = dnnl_primitive_desc_query_md(fpd, dnnl_query_workspace_md, 0);
            workspaceBytes = dnnl_memory_desc_get_size(workspace);
            dnnl_pooling_desc_t inf = new dnnl_pooling_desc_t();
            check(
                    dnnl_pooling_forward_desc_init(
                            inf,
                            dnnl_forward_inference,
                            dnnl_pooling_max,
                            src,
                            dst,
                            strides,
                            kernel,
                            padL,
                            padR),
                    "pooling_forward_desc_init (inference)");
            inference =
                    new Kernel(
                            primitiveDesc(inf, attr, null, "max pooling inference"),
                            "max pooling inference");
            dnnl_pooling_desc_t bwd = new dnnl_pooling_desc_t();
            check(
                    dnnl_pooling_backward_desc_init(
                            bwd, dnnl_pooling_max, src, dst, strides, kernel, padL, padR),
                    "pooling_backward_desc_init");
            backward =
                    new Kernel(
                            primitiveDesc(bwd, attr, fpd, "max pooling backward"),
                            "max pooling backward");
        }

        void forward(INDArray in, INDArray out, INDArray ws) {
            dnnl_stream s = STREAM.get();
            Kernel k = ws == null ? inference : training;
            Args a = k.args().add(DNNL_ARG_SRC, src, data(in)).add(DNNL_ARG_DST, dst, data(out));
            if (ws != null) {
                checkWorkspace(ws);
                a.add(DNNL_ARG_WORKSPACE, workspace, data(ws));
            }
            k.run(a, s);
        }

        void backward(INDArray go, INDArray ws, INDArray gi) {
            checkWorkspace(ws);
            dnnl_stream s = STREAM.get();
            Args a =
                    backward.args()
                            .add(DNNL_ARG_DIFF_DST, dst, data(go))
                            .add(DNNL_ARG_WORKSPACE, workspace, data(ws))
                            .add(DNNL_ARG_DIFF_SRC, src, data(gi));
            backward.run(a, s);
        }

        private void checkWorkspace(INDArray ws) {
            if (ws.length() * ws.data().getElementSize() < workspaceBytes || ws.offset() != 0) {
                throw new IllegalArgumentException(
                        "max pooling workspace of "
                                + ws.length()
                                + " elements, expected "
                                + workspaceBytes
                                + " bytes from maxPoolWorkspace");
            }
        }
    }

    /**
     * A primitive, the layout of its weights, and the reorder between that and the plain layout
     * (OIHW for a convolution, OI for a linear map).
     */
    private static final class Kernel {
        final dnnl_primitive primitive;
        final dnnl_memory_desc_t weights;
        final dnnl_memory_desc_t plain;
        final dnnl_primitive reorder; // plain -> weights if it reads them, weights -> plain if not
        final long weightsBytes;
        final dnnl_memory_desc_t scratch;
        final long scratchBytes;
        final String what;
        private final ThreadLocal<Args> args = ThreadLocal.withInitial(Args::new);
        private final ThreadLocal<Args> reorderArgs = ThreadLocal.withInitial(Args::new);

        /** A primitive without weights. */
        Kernel(dnnl_primitive_desc pd, String what) {
            this.what = what;
            this.plain = null;
            primitive = primitive(pd, what);
            weights = null;
            weightsBytes = 0;
            reorder = null;
            scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
            scratchBytes = dnnl_memory_desc_get_size(scratch);
        }

        Kernel(
                dnnl_primitive_desc pd,
                int weightsQuery,
                dnnl_memory_desc_t plain,
                boolean readsWeights,
                String what) {
            this.what = what;
            this.plain = plain;
            primitive = primitive(pd, what);
            weights = dnnl_primitive_desc_query_md(pd, weightsQuery, 0);
            weightsBytes = dnnl_memory_desc_get_size(weights);
            reorder =
                    readsWeights ? OneDnn.reorder(plain, weights) : OneDnn.reorder(weights, plain);
            scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
            scratchBytes = dnnl_memory_desc_get_size(scratch);
        }

        /** The weights in this kernel's layout: {@code plainData} itself or a reordered copy. */
        Pointer weightsIn(Pointer plainData, dnnl_stream s) {
            if (reorder == null) {
                return plainData;
            }
            BytePointer copy = WEIGHTS.get().get(weightsBytes);
            runReorder(reorder, reorderArgs(), plain, plainData, weights, copy, s);
            return copy;
        }

        /** The calling thread's arguments for this primitive, emptied. */
        Args args() {
            return args.get().begin();
        }

        /** The calling thread's arguments for this primitive's weight reorder. */
        Args reorderArgs() {
            return reorderArgs.get();
        }

        /** Runs the primitive with {@code a} (and a scratchpad) and waits for it. */
        void run(Args a, dnnl_stream s) {
            if (scratchBytes > 0) {
                a.add(DNNL_ARG_SCRATCHPAD, scratch, SCRATCH.get().get(scratchBytes));
            }
            a.execute(primitive, s, what);
            check(dnnl_stream_wait(s), "stream_wait");
        }
    }
}
