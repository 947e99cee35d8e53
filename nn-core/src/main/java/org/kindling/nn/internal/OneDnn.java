package org.kindling.nn.internal;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCRATCHPAD;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_scratchpad_mode;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_scratchpad_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_scratchpad_mode_user;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
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
 * Kernels Kindling runs in oneDNN itself (JavaCPP's build of oneDNN 2.5.2, {@code
 * org.bytedeco:dnnl}) where libnd4j's ops, on the oneDNN 2.3 libnd4j bundles, have no such form:
 * the weight and bias gradients of a convolution without its input gradient (the network's first
 * layer; libnd4j's {@code conv2d_bp} always computes the input gradient too). oneDNN's
 * backward-weights kernel for the course net's first layer takes ~1.3 ms for 64 images where
 * libnd4j's route took ~8.8 ms (docs/PERFORMANCE.md, profile 28).
 *
 * <p>CPU and float32 only ({@link #available}); callers keep libnd4j's route for everything else
 * (the CUDA backend, float64). Primitives are built once per shape and shared by all threads: they
 * run with a caller-provided scratchpad, so concurrent learners never share scratch memory; each
 * thread has its own stream.
 */
public final class OneDnn {
    private static final dnnl_engine ENGINE = engine();
    private static final ConcurrentHashMap<ConvKey, ConvWeights> CONV_WEIGHTS =
            new ConcurrentHashMap<>();
    private static final ThreadLocal<dnnl_stream> STREAM = ThreadLocal.withInitial(OneDnn::stream);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final ThreadLocal<Scratch> BLOCKED = ThreadLocal.withInitial(Scratch::new);

    private OneDnn() {}

    /** Whether these arrays can go to {@link #convWeightGradients}: ND4J's CPU backend, float32. */
    public static boolean available(INDArray... arrays) {
        if (!Nd4j.getEnvironment().isCPU()) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.dataType() != DataType.FLOAT) {
                return false;
            }
        }
        return true;
    }

    /**
     * The weight and bias gradients of a stride-1, undilated, ungrouped convolution: {@code in} its
     * input and {@code go} its output gradient, both row-major [N, H, W, C]; {@code gw} receives
     * [out, in, kH, kW] (row-major, PyTorch's layout) and {@code gb}, unless null, [out].
     */
    public static void convWeightGradients(
            INDArray in,
            INDArray go,
            int kH,
            int kW,
            int padH,
            int padW,
            INDArray gw,
            INDArray gb) {
        in = plain(in);
        go = plain(go);
        if (!Layout.isRowMajor(gw) || gw.offset() != 0 || (gb != null && gb.offset() != 0)) {
            throw new IllegalArgumentException("convWeightGradients writes row-major arrays only");
        }
        ConvKey key =
                new ConvKey(
                        in.size(0),
                        in.size(3),
                        in.size(1),
                        in.size(2),
                        go.size(3),
                        go.size(1),
                        go.size(2),
                        kH,
                        kW,
                        padH,
                        padW,
                        gb != null);
        ConvWeights p = CONV_WEIGHTS.computeIfAbsent(key, ConvWeights::new);
        p.run(in, go, gw, gb);
    }

    /** {@code a} if row-major at the start of its buffer, else such a copy. */
    private static INDArray plain(INDArray a) {
        return Layout.isRowMajor(a) && a.offset() == 0 ? a : a.dup('c');
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

    /** A primitive's arguments; the memory objects are freed after the call. */
    private static final class Args implements AutoCloseable {
        final dnnl_exec_arg_t args;
        final dnnl_memory[] memories;
        int n;

        Args(int capacity) {
            args = new dnnl_exec_arg_t(capacity);
            memories = new dnnl_memory[capacity];
        }

        Args add(int arg, dnnl_memory_desc_t d, Pointer data) {
            dnnl_memory m = memory(d, data);
            memories[n] = m;
            args.position(n).arg(arg).memory(m);
            n++;
            return this;
        }

        void execute(dnnl_primitive p, dnnl_stream s, String what) {
            check(dnnl_primitive_execute(p, s, n, args.position(0)), what);
        }

        @Override
        public void close() {
            for (int i = 0; i < n; i++) {
                dnnl_memory_destroy(memories[i]);
            }
            args.close();
        }
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

    private record ConvKey(
            long n,
            long c,
            long h,
            long w,
            long out,
            long outH,
            long outW,
            int kH,
            int kW,
            int padH,
            int padW,
            boolean bias) {}

    /** oneDNN's backward-weights convolution for one shape, and the reorder of its result. */
    private static final class ConvWeights {
        final dnnl_memory_desc_t src;
        final dnnl_memory_desc_t diffDst;
        final dnnl_memory_desc_t diffWeights; // the kernel's own (blocked) layout
        final dnnl_memory_desc_t weightsOihw;
        final dnnl_memory_desc_t bias;
        final dnnl_primitive primitive;
        final long scratchBytes;
        final dnnl_memory_desc_t scratch;
        final dnnl_primitive reorder; // null if the kernel writes OIHW itself
        final long blockedBytes;
        final boolean hasBias;

        ConvWeights(ConvKey k) {
            src = desc(dnnl_nhwc, k.n, k.c, k.h, k.w);
            diffDst = desc(dnnl_nhwc, k.n, k.out, k.outH, k.outW);
            dnnl_memory_desc_t anyWeights = desc(dnnl_format_tag_any, k.out, k.c, k.kH, k.kW);
            weightsOihw = desc(dnnl_oihw, k.out, k.c, k.kH, k.kW);
            hasBias = k.bias;
            bias = hasBias ? desc(dnnl_a, k.out) : new dnnl_memory_desc_t();
            long[] strides = {1, 1};
            long[] padL = {k.padH, k.padW};
            long[] padR = {k.outH - 1 + k.kH - k.h - k.padH, k.outW - 1 + k.kW - k.w - k.padW};
            dnnl_primitive_attr attr = new dnnl_primitive_attr();
            check(dnnl_primitive_attr_create(attr), "primitive_attr_create");
            check(
                    dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user),
                    "set_scratchpad_mode");
            dnnl_convolution_desc_t fwd = new dnnl_convolution_desc_t();
            check(
                    dnnl_convolution_forward_desc_init(
                            fwd,
                            dnnl_forward_training,
                            dnnl_convolution_direct,
                            src,
                            anyWeights,
                            hasBias ? bias : null,
                            diffDst,
                            strides,
                            padL,
                            padR),
                    "convolution_forward_desc_init");
            dnnl_primitive_desc hint = new dnnl_primitive_desc();
            check(
                    dnnl_primitive_desc_create(
                            hint, new const_dnnl_op_desc_t(fwd), attr, ENGINE, null),
                    "primitive_desc_create (forward hint)");
            dnnl_convolution_desc_t bwd = new dnnl_convolution_desc_t();
            check(
                    dnnl_convolution_backward_weights_desc_init(
                            bwd,
                            dnnl_convolution_direct,
                            src,
                            anyWeights,
                            hasBias ? bias : null,
                            diffDst,
                            strides,
                            padL,
                            padR),
                    "convolution_backward_weights_desc_init");
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(
                    dnnl_primitive_desc_create(
                            pd, new const_dnnl_op_desc_t(bwd), attr, ENGINE, hint),
                    "primitive_desc_create (backward weights)");
            diffWeights = dnnl_primitive_desc_query_md(pd, dnnl_query_diff_weights_md, 0);
            scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
            scratchBytes = dnnl_memory_desc_get_size(scratch);
            primitive = new dnnl_primitive();
            check(dnnl_primitive_create(primitive, pd), "primitive_create (backward weights)");
            if (dnnl_memory_desc_equal(diffWeights, weightsOihw) != 0) {
                reorder = null;
                blockedBytes = 0;
            } else {
                dnnl_primitive_desc rpd = new dnnl_primitive_desc();
                check(
                        dnnl_reorder_primitive_desc_create(
                                rpd, diffWeights, ENGINE, weightsOihw, ENGINE, null),
                        "reorder_primitive_desc_create");
                reorder = new dnnl_primitive();
                check(dnnl_primitive_create(reorder, rpd), "primitive_create (reorder)");
                blockedBytes = dnnl_memory_desc_get_size(diffWeights);
            }
        }

        void run(INDArray in, INDArray go, INDArray gw, INDArray gb) {
            dnnl_stream s = STREAM.get();
            Pointer weightsOut = reorder == null ? data(gw) : BLOCKED.get().get(blockedBytes);
            try (Args a = new Args(5)) {
                a.add(DNNL_ARG_SRC, src, data(in))
                        .add(DNNL_ARG_DIFF_DST, diffDst, data(go))
                        .add(DNNL_ARG_DIFF_WEIGHTS, diffWeights, weightsOut);
                if (hasBias) {
                    a.add(DNNL_ARG_DIFF_BIAS, bias, data(gb));
                }
                if (scratchBytes > 0) {
                    a.add(DNNL_ARG_SCRATCHPAD, scratch, SCRATCH.get().get(scratchBytes));
                }
                a.execute(primitive, s, "execute (backward weights)");
            }
            if (reorder != null) {
                try (Args a = new Args(2)) {
                    a.add(DNNL_ARG_FROM, diffWeights, weightsOut)
                            .add(DNNL_ARG_TO, weightsOihw, data(gw))
                            .execute(reorder, s, "execute (reorder)");
                }
            }
            check(dnnl_stream_wait(s), "stream_wait");
        }
    }
}
