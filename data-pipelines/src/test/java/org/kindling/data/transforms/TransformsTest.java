package org.kindling.data.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.kindling.data.ImageRecord;

class TransformsTest {
    static ImageRecord ramp(int c, int h, int w) {
        byte[] px = new byte[c * h * w];
        for (int i = 0; i < px.length; i++) px[i] = (byte) i;
        return new ImageRecord(3, px);
    }

    @Test
    void horizontalFlipMirrorsEveryRowOfEveryChannel() {
        ImageRecord r = ramp(2, 2, 3);
        ImageRecord f =
                new RandomHorizontalFlip(1.0)
                        .apply(r, new long[] {2, 2, 3}, new SplittableRandom(1));
        assertArrayEquals(new byte[] {2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9}, f.pixels());
        assertEquals(3, f.label());
        assertEquals(
                r,
                new RandomHorizontalFlip(0.0)
                        .apply(r, new long[] {2, 2, 3}, new SplittableRandom(1)));
    }

    @Test
    void randomCropWithPaddingKeepsTheSizeAndShiftsTheImage() {
        ImageRecord r = ramp(1, 4, 4);
        RandomCrop crop = new RandomCrop(4, 1);
        boolean shifted = false;
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 20; i++) {
            ImageRecord c = crop.apply(r, new long[] {1, 4, 4}, rnd);
            assertEquals(16, c.pixels().length);
            shifted |= !c.equals(r);
        }
        assertEquals(true, shifted);
        // the same seed gives the same crops: runs are reproducible
        assertEquals(
                crop.apply(r, new long[] {1, 4, 4}, new SplittableRandom(9)),
                crop.apply(r, new long[] {1, 4, 4}, new SplittableRandom(9)));
    }

    @Test
    void resizeKeepsAConstantImageConstantAndHalvesARamp() {
        byte[] flat = new byte[3 * 8 * 8];
        java.util.Arrays.fill(flat, (byte) 200);
        ImageRecord out =
                new Resize(4, 4).apply(new ImageRecord(0, flat), new long[] {3, 8, 8}, null);
        assertEquals(3 * 16, out.pixels().length);
        for (byte b : out.pixels()) assertEquals(200, b & 0xFF);
        byte[] two = {0, 100, 0, 100};
        assertArrayEquals(new byte[] {50}, Resize.resize(two, 1, 2, 2, 1, 1));
    }

    @Test
    void grayscaleUsesTheLumaWeights() {
        byte[] px = {(byte) 255, 0, 0}; // one red pixel, CHW
        ImageRecord g = new Grayscale(1).apply(new ImageRecord(0, px), new long[] {3, 1, 1}, null);
        assertArrayEquals(new byte[] {76}, g.pixels()); // round(0.299 * 255)
        assertArrayEquals(new long[] {3, 1, 1}, new Grayscale(3).outputShape(new long[] {1, 1, 1}));
    }

    @Test
    void composeAppliesInOrderAndTracksTheShape() {
        // (x + 10) * 2 and x * 2 + 10 differ, so only the given order produces the expected pixels.
        Transform plus10 = (r, s, rnd) -> map(r, v -> v + 10);
        Transform twice = (r, s, rnd) -> map(r, v -> v * 2);
        long[] shape = {1, 2, 3};
        ImageRecord in = ramp(1, 2, 3);
        ImageRecord composed =
                Transform.compose(List.of(plus10, twice)).apply(in, shape, new SplittableRandom(0));
        ImageRecord inOrder = twice.apply(plus10.apply(in, shape, null), shape, null);
        ImageRecord reversed = plus10.apply(twice.apply(in, shape, null), shape, null);
        assertArrayEquals(new byte[] {20, 22, 24, 26, 28, 30}, inOrder.pixels());
        assertArrayEquals(inOrder.pixels(), composed.pixels());
        assertFalse(Arrays.equals(reversed.pixels(), composed.pixels()));

        // Each transform is given the shape its predecessor produced.
        List<long[]> seen = new ArrayList<>();
        Transform record =
                (r, s, rnd) -> {
                    seen.add(s.clone());
                    return r;
                };
        Transform t = Transform.compose(List.of(new Resize(2, 2), record, new Grayscale(1)));
        assertArrayEquals(new long[] {1, 2, 2}, t.outputShape(new long[] {3, 4, 4}));
        ImageRecord out = t.apply(ramp(3, 4, 4), new long[] {3, 4, 4}, new SplittableRandom(0));
        assertEquals(1, seen.size());
        assertArrayEquals(new long[] {3, 2, 2}, seen.get(0));
        ImageRecord resized = new Resize(2, 2).apply(ramp(3, 4, 4), new long[] {3, 4, 4}, null);
        ImageRecord stepByStep = new Grayscale(1).apply(resized, new long[] {3, 2, 2}, null);
        assertArrayEquals(stepByStep.pixels(), out.pixels());
        assertTrue(t.toString().startsWith("Compose(["), t.toString());
    }

    private static ImageRecord map(ImageRecord r, java.util.function.IntUnaryOperator f) {
        byte[] px = r.pixels().clone();
        for (int i = 0; i < px.length; i++) px[i] = (byte) f.applyAsInt(px[i] & 0xff);
        return new ImageRecord(r.label(), px);
    }

    @Test
    void badArgumentsNameTheParameter() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new Grayscale(2));
        assertEquals("Grayscale: num_output_channels must be 1 or 3 but was: 2", e.getMessage());
    }
}
