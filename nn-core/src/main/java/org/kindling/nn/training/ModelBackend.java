package org.kindling.nn.training;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What computes a {@link ModelDefinition}: Kindling's own modules ({@code kindling}, in nn-core) or
 * DL4J networks ({@code dl4j}, in spark-job). Backends are found with {@link
 * java.util.ServiceLoader} ({@code META-INF/services/org.kindling.nn.training.ModelBackend}).
 */
public interface ModelBackend {
    /** The name written in definitions and archives. */
    String name();

    /**
     * A freshly initialised learner for {@code definition}; initialisation draws from a generator
     * seeded with {@code seed}, so the same seed gives the same parameters.
     *
     * @throws IllegalArgumentException naming what in the definition is wrong
     */
    Learner learner(ModelDefinition definition, long seed);

    /**
     * The parameters and buffers of {@code state} as named tensors, for the archive's {@code
     * parameters.safetensors} (Kindling: PyTorch's {@code state_dict} keys and shapes).
     */
    Map<String, INDArray> stateDict(ModelState state);

    /**
     * The inverse of {@link #stateDict}: a learner for {@code definition} with the parameters and
     * buffers of the named tensors (and a fresh optimizer state).
     *
     * @throws IllegalArgumentException naming missing, unexpected or mis-shaped tensors
     */
    Learner fromStateDict(ModelDefinition definition, Map<String, INDArray> tensors);
}
