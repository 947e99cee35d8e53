package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kindling.nn.models.Zoo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Tensor#noGrad}, PyTorch's {@code torch.no_grad()}: inside it nothing records a backward
 * pass, the outputs are the same numbers, and gradients are recorded again once it is closed.
 */
class NoGradTest {

    @Test
    void noGradComputesTheSameOutputWithoutAGraph() {
        Init.manualSeed(3);
        Module net = Zoo.create("cifarnet", 10);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 3, 32, 32);
        Tensor withGrad = net.forward(Tensor.of(x));
        assertTrue(withGrad.requiresGrad());
        assertTrue(Tensor.isGradEnabled());
        Tensor without;
        try (Tensor.NoGrad outer = Tensor.noGrad()) {
            try (Tensor.NoGrad inner = Tensor.noGrad()) {
                assertFalse(Tensor.isGradEnabled());
            }
            assertFalse(Tensor.isGradEnabled(), "scopes nest");
            without = net.forward(Tensor.of(x));
        }
        assertFalse(without.requiresGrad());
        assertEquals(withGrad.data(), without.data());
        assertTrue(Tensor.isGradEnabled());
        // recorded again after the scope: a backward pass reaches the parameters
        Tensor again = net.forward(Tensor.of(x));
        assertTrue(again.requiresGrad());
        again.backward(Nd4j.onesLike(again.data()));
        for (Parameter p : net.parameters()) {
            assertNotNull(p.grad(), "a parameter without gradient after the scope");
        }
    }
}
