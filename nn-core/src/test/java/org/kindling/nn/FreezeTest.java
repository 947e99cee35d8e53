package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.kindling.nn.loss.CrossEntropyLoss;
import org.kindling.nn.models.CifarNet;
import org.kindling.nn.optim.Adam;
import org.kindling.nn.optim.SGD;
import org.kindling.nn.training.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code requires_grad=False} freezes a parameter for every optimizer, weight decay included. */
class FreezeTest {
    @Test
    void frozenFeatureLayersStayPutWhileTheHeadTrains() {
        for (String opt : new String[] {"sgd", "adam"}) {
            Sequential net = CifarNet.create();
            for (int i = 0; i < 6; i++) {
                net.get(i).parameters().forEach(p -> p.requiresGrad(false));
            }
            Trainer t =
                    new Trainer(
                            net,
                            CifarNet.IMAGE_SHAPE,
                            new CrossEntropyLoss(),
                            opt.equals("sgd")
                                    ? new SGD(net, 0.1, 0.9).weightDecay(0.01)
                                    : new Adam(net).weightDecay(0.01));
            INDArray conv = net.namedParameters().get("0.weight").data().dup();
            INDArray head = net.namedParameters().get("8.weight").data().dup();
            for (int s = 0; s < 3; s++) {
                t.step(
                        Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32),
                        Nd4j.createFromArray(new long[] {1, 2, 3, 4}));
            }
            assertEquals(conv, net.namedParameters().get("0.weight").data(), opt);
            assertNotEquals(head, net.namedParameters().get("8.weight").data(), opt);
        }
    }
}
