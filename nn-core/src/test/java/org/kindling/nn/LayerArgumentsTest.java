package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Layers own their settings and reject a bad one when built, naming it and its value. */
class LayerArgumentsTest {

    @Test
    void aConv2dKeepsItsOwnCopyOfItsOptions() {
        Conv2d.Options opts = Conv2d.options(1, 2, 3);
        Conv2d conv = new Conv2d(opts);
        String before = conv.toString();
        long[] shape = conv.outputShape(new long[] {1, 1, 8, 8});
        opts.stride(2).padding(1).dilation(2);
        Conv2d other = opts.build();
        assertArrayEquals(shape, conv.outputShape(new long[] {1, 1, 8, 8}));
        assertEquals(before, conv.toString());
        // the changed options do take effect on the layer built from them afterwards
        assertEquals(
                false, java.util.Arrays.equals(shape, other.outputShape(new long[] {1, 1, 8, 8})));
    }

    @Test
    void everyLayerRejectsABadArgumentWhenBuilt() {
        Map<String, Executable> cases = new LinkedHashMap<>();
        cases.put("AvgPool2d: kernel_size must be >= 1 but was: 0", () -> new AvgPool2d(0));
        cases.put("AvgPool2d: stride must be >= 1 but was: 0", () -> new AvgPool2d(2).stride(0));
        cases.put(
                "AvgPool2d: padding must be >= 0 but was: -1", () -> new AvgPool2d(2).padding(-1));
        cases.put("MaxPool2d: kernel_size must be >= 1 but was: 0", () -> new MaxPool2d(0));
        cases.put(
                "MaxPool2d: stride must be >= 1 but was: (0, 1)",
                () -> new MaxPool2d(2).stride(0, 1));
        cases.put("MaxPool2d: stride must be >= 1 but was: -1", () -> new MaxPool2d(2, -1));
        cases.put(
                "MaxPool2d: dilation must be >= 1 but was: 0", () -> new MaxPool2d(2).dilation(0));
        cases.put(
                "MaxPool2d: padding must be >= 0 but was: -1", () -> new MaxPool2d(2).padding(-1));
        cases.put(
                "AdaptiveAvgPool2d: output size must be >= 1 but was (0, 2)",
                () -> new AdaptiveAvgPool2d(0, 2));
        cases.put("Linear: in_features must be > 0 but was: 0", () -> new Linear(0, 3));
        cases.put("Linear: out_features must be > 0 but was: -2", () -> new Linear(3, -2));
        cases.put("BatchNorm2d: num_features must be >= 1 but was: 0", () -> new BatchNorm2d(0));
        cases.put(
                "BatchNorm2d: eps must be a finite number > 0 but was: 0.0",
                () -> new BatchNorm2d(3, 0, 0.1));
        cases.put(
                "BatchNorm2d: momentum must be in [0, 1] but was: 1.5",
                () -> new BatchNorm2d(3, 1e-5, 1.5));
        cases.put(
                "BatchNorm2d: momentum must be in [0, 1] but was: NaN",
                () -> new BatchNorm2d(3, 1e-5, Double.NaN));
        cases.put(
                "Flatten: start_dim must not come after end_dim, but start_dim=3, end_dim=1",
                () -> new Flatten(3, 1));
        cases.put(
                "Flatten: start_dim must not come after end_dim, but start_dim=-1, end_dim=-2",
                () -> new Flatten(-1, -2));
        cases.put("Dropout: p must be in [0, 1) but was: 1.0", () -> new Dropout(1.0));
        cases.put("Dropout: p must be in [0, 1) but was: NaN", () -> new Dropout(Double.NaN));
        cases.put(
                "Conv2d: stride must be > 0 but was: 0",
                () -> Conv2d.options(1, 2, 3).stride(0).build());
        cases.put("Conv2d: kernel_size must be > 0 but was: 0", () -> new Conv2d(1, 2, 0));
        for (Map.Entry<String, Executable> c : cases.entrySet()) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, c.getValue(), c.getKey());
            assertEquals(c.getKey(), e.getMessage());
        }
    }

    @Test
    void validArgumentsAtTheEdgesAreAccepted() {
        assertArrayEquals(
                new long[] {1, 1, 4, 4},
                new AvgPool2d(1).stride(1).padding(0).outputShape(new long[] {1, 1, 4, 4}));
        assertArrayEquals(
                new long[] {1, 1, 2, 2},
                new MaxPool2d(2).padding(1).outputShape(new long[] {1, 1, 3, 3}));
        assertArrayEquals(
                new long[] {2, 12}, new Flatten(-3, -1).outputShape(new long[] {2, 3, 2, 2}));
        assertArrayEquals(new long[] {6, 2}, new Flatten(0, -2).outputShape(new long[] {2, 3, 2}));
        new BatchNorm2d(3, 1e-3, 0);
        new BatchNorm2d(3, 1e-3, 1);
        new Dropout(0);
    }
}
