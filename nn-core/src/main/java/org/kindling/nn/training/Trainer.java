package org.kindling.nn.training;

import java.util.Arrays;
import org.kindling.nn.Generator;
import org.kindling.nn.Module;
import org.kindling.nn.ParameterVector;
import org.kindling.nn.Tensor;
import org.kindling.nn.loss.Loss;
import org.kindling.nn.optim.Optimizer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A model ready to train: a module, its input shape, a loss and an optimizer. It runs the PyTorch
 * training step ({@code zero_grad, forward, loss, backward, step}) on mini-batches and exposes
 * parameters and optimizer state as flat arrays, which is all a data-parallel trainer needs.
 */
public final class Trainer implements Learner {
    private final Module model;
    private final long[] inputShape;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Generator generator;

    /**
     * @param model the network
     * @param inputShape shape of one example without the batch dimension, e.g. [3, 32, 32]
     * @param loss the loss
     * @param optimizer an optimizer built on {@code model}
     * @throws IllegalArgumentException if the model does not accept the input shape
     */
    public Trainer(Module model, long[] inputShape, Loss loss, Optimizer optimizer) {
        this(model, inputShape, loss, optimizer, new Generator(0));
    }

    /**
     * A trainer whose steps draw their randomness (Dropout) from {@code generator}.
     *
     * @throws IllegalArgumentException if the model does not accept the input shape
     */
    public Trainer(
            Module model, long[] inputShape, Loss loss, Optimizer optimizer, Generator generator) {
        this.generator = generator;
        this.model = model;
        this.inputShape = inputShape.clone();
        this.loss = loss;
        this.optimizer = optimizer;
        if (optimizer.parameters() != ParameterVector.bind(model)) {
            throw new IllegalArgumentException("the optimizer was built for a different module");
        }
        model.outputShape(batchShape(1));
    }

    /** The network. */
    public Module model() {
        return model;
    }

    /** The optimizer. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** Shape of one example. */
    @Override
    public long[] inputShape() {
        return inputShape.clone();
    }

    /**
     * One training step on a mini-batch.
     *
     * @param x inputs [N, inputShape...]
     * @param y targets as the loss expects them (class indices [N] for cross-entropy)
     * @return the loss before the update
     */
    @Override
    public double step(INDArray x, INDArray y) {
        checkBatch(x);
        model.train();
        // Every temporary of the step (activations, gradients of activations) lives in one reused
        // workspace: after the first step no memory is allocated, mapped or zeroed by the OS.
        try (Generator.Scope g = Generator.use(generator);
                MemoryWorkspace ws =
                        Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP, "kindling-step")) {
            optimizer.zeroGrad();
            Tensor l = loss.forward(model.forward(Tensor.of(x)), y);
            l.backward();
            optimizer.step();
            return l.item();
        }
    }

    private static final WorkspaceConfiguration STEP =
            WorkspaceConfiguration.builder()
                    .initialSize(0)
                    .policyAllocation(AllocationPolicy.OVERALLOCATE)
                    .overallocationLimit(0.2)
                    .policyLearning(LearningPolicy.FIRST_LOOP)
                    .policyReset(ResetPolicy.BLOCK_LEFT)
                    .policySpill(SpillPolicy.REALLOCATE)
                    .build();

    @Override
    public void reseed(long seed) {
        generator.manualSeed(seed);
    }

    /**
     * Model output for a batch, in evaluation mode and without recording gradients ({@link
     * Tensor#noGrad}). It runs in the training step's workspace (a second one would double the
     * native memory of a large model), and the output is detached.
     */
    @Override
    public INDArray predict(INDArray x) {
        checkBatch(x);
        model.eval();
        try (MemoryWorkspace ws =
                        Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP, "kindling-step");
                Tensor.NoGrad g = Tensor.noGrad()) {
            return model.forward(Tensor.of(x)).data().detach();
        }
    }

    /** Softmax of {@link #predict} over the classes. */
    @Override
    public INDArray probabilities(INDArray x) {
        return Transforms.softmax(predict(x), false);
    }

    /** Number of correct arg-max predictions for a batch with class-index labels [N]. */
    @Override
    public long countCorrect(INDArray x, INDArray labels) {
        INDArray predicted = Nd4j.argMax(predict(x), 1);
        return predicted
                .castTo(labels.dataType())
                .eq(labels.reshape(labels.length()))
                .castTo(org.nd4j.linalg.api.buffer.DataType.INT)
                .sumNumber()
                .longValue();
    }

    /** A copy of all parameters as one flat float array. */
    @Override
    public float[] parameters() {
        return optimizer.parameters().data().toFloatVector();
    }

    /** Overwrites all parameters from a flat array of {@link #numParameters()} values. */
    @Override
    public void setParameters(float[] flat) {
        INDArray p = optimizer.parameters().data();
        if (flat.length != p.length()) {
            throw new IllegalArgumentException(
                    "expected " + p.length() + " parameter values but got " + flat.length);
        }
        org.kindling.nn.internal.HostCopy.into(p, flat, 0);
    }

    /** A copy of the optimizer state as one flat float array. */
    @Override
    public float[] optimizerState() {
        return optimizer.state().toFloatVector();
    }

    /** Restores the optimizer state from {@link #optimizerState()}-shaped values. */
    @Override
    public void setOptimizerState(float[] state) {
        optimizer.loadState(state);
    }

    /**
     * A copy of all buffers (e.g. BatchNorm running statistics) as one flat float array, in {@link
     * Module#namedBuffers()} order; empty for models without buffers.
     */
    @Override
    public float[] buffers() {
        java.util.List<INDArray> bs = new java.util.ArrayList<>(model.namedBuffers().values());
        int n = bs.stream().mapToInt(b -> (int) b.length()).sum();
        float[] out = new float[n];
        int off = 0;
        for (INDArray b : bs) {
            float[] v =
                    b.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
            System.arraycopy(v, 0, out, off, v.length);
            off += v.length;
        }
        return out;
    }

    /** Overwrites all buffers from a {@link #buffers()}-shaped array (integers are rounded). */
    @Override
    public void setBuffers(float[] flat) {
        setBuffers(model, flat);
    }

    /** Overwrites {@code model}'s buffers from a flat array (integers are rounded). */
    static void setBuffers(Module model, float[] flat) {
        int off = 0;
        for (INDArray b : model.namedBuffers().values()) {
            int n = (int) b.length();
            if (off + n > flat.length) {
                throw new IllegalArgumentException(
                        "expected more than " + flat.length + " buffer values");
            }
            float[] part = java.util.Arrays.copyOfRange(flat, off, off + n);
            INDArray v = Nd4j.create(part, b.shape(), 'c');
            b.assign(
                    b.dataType().isFPType()
                            ? v.castTo(b.dataType())
                            : Transforms.round(v, false).castTo(b.dataType()));
            off += n;
        }
        if (off != flat.length) {
            throw new IllegalArgumentException(
                    "expected " + off + " buffer values but got " + flat.length);
        }
    }

    /** Live views: the flat parameters, the optimizer's step and buffers, then the buffers. */
    @Override
    public java.util.List<INDArray> flatSegments(boolean withState) {
        java.util.List<INDArray> out = new java.util.ArrayList<>();
        out.add(optimizer.parameters().data());
        if (withState) {
            out.addAll(optimizer.stateSegments());
        }
        out.addAll(model.namedBuffers().values());
        return out;
    }

    /** Number of parameter values. */
    @Override
    public long numParameters() {
        return optimizer.parameters().length();
    }

    private long[] batchShape(long n) {
        long[] s = new long[inputShape.length + 1];
        s[0] = n;
        System.arraycopy(inputShape, 0, s, 1, inputShape.length);
        return s;
    }

    private void checkBatch(INDArray x) {
        long[] s = x.shape();
        if (s.length != inputShape.length + 1
                || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), inputShape)) {
            throw new IllegalArgumentException(
                    "expected a batch of shape [N, "
                            + Arrays.toString(inputShape).replaceAll("[\\[\\]]", "")
                            + "] but got "
                            + Arrays.toString(s));
        }
    }
}
