package org.kindling.spark.averaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** The text a worker sends the others after a round, and back. */
class RoundMessageTest {
    /** Floats whose bytes take every value 0-255, and the awkward ones. */
    private static float[] values() {
        float[] v = new float[1000];
        for (int i = 0; i < 256; i++) {
            v[i] = Float.intBitsToFloat(i * 0x01010101);
        }
        v[256] = Float.NaN;
        v[257] = Float.intBitsToFloat(0x7fc00001); // another NaN
        v[258] = -0f;
        v[259] = Float.MIN_VALUE;
        v[260] = Float.NEGATIVE_INFINITY;
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 261; i < v.length; i++) {
            v[i] = Float.intBitsToFloat(r.nextInt());
        }
        return v;
    }

    private static void assertSameBits(float[] want, float[] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(
                    Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), "at " + i);
        }
    }

    @Test
    void aMessageComesBackBitForBitAsOneCharacterPerByte() throws Exception {
        float[] v = values();
        RoundMessage m = new RoundMessage(3, true, false, 12.5, 4, 256, v);
        String text = new RoundMessage.Codec().encode(m);
        assertEquals(34 + 4 * v.length, text.length());
        assertTrue(text.chars().allMatch(c -> c <= 0xff));

        // on a cluster the text crosses Spark's RPC in Java serialization
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(text);
        }
        String received;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            received = (String) in.readObject();
        }
        for (String t : new String[] {text, received}) {
            RoundMessage back = new RoundMessage.Codec().decode(t);
            assertEquals(3, back.partition());
            assertTrue(back.trained());
            assertEquals(false, back.bad());
            assertEquals(12.5, back.lossSum());
            assertEquals(4, back.batches());
            assertEquals(256, back.examples());
            assertSameBits(v, back.values());
        }
    }

    @Test
    void aWorkerWithoutDataSendsNoValues() {
        RoundMessage.Codec codec = new RoundMessage.Codec();
        RoundMessage back =
                codec.decode(codec.encode(new RoundMessage(1, false, false, 0, 0, 0, null)));
        assertEquals(1, back.partition());
        assertEquals(false, back.trained());
        assertNull(back.values());
    }

    @Test
    void theCodecReusesItsArraysFromRoundToRound() {
        RoundMessage.Codec sender = new RoundMessage.Codec();
        RoundMessage.Codec receiver = new RoundMessage.Codec();
        float[] v = values();
        float[] first =
                receiver.decode(sender.encode(new RoundMessage(2, true, false, 1, 1, 1, v)))
                        .values();
        v[5] = 42f;
        float[] second =
                receiver.decode(sender.encode(new RoundMessage(2, true, false, 1, 1, 1, v)))
                        .values();
        assertSame(first, second);
        assertEquals(42f, second[5]);
        assertSame(receiver.values(2, v.length), second);
        // a longer message after a shorter one, then the short one again
        float[] longer = java.util.Arrays.copyOf(v, 2000);
        longer[1999] = 7f;
        assertSameBits(
                longer,
                receiver.decode(sender.encode(new RoundMessage(2, true, false, 1, 1, 1, longer)))
                        .values());
        assertSameBits(
                v,
                receiver.decode(sender.encode(new RoundMessage(2, true, false, 1, 1, 1, v)))
                        .values());
    }

    @Test
    void textThatIsNoRoundMessageIsRefused() {
        RoundMessage.Codec codec = new RoundMessage.Codec();
        IllegalStateException shortText =
                assertThrows(IllegalStateException.class, () -> codec.decode("abc"));
        assertEquals("a round message of 3 bytes: expected 34 + 4n", shortText.getMessage());
        String text = codec.encode(new RoundMessage(0, true, false, 0, 1, 1, new float[] {1f, 2f}));
        IllegalStateException cut =
                assertThrows(
                        IllegalStateException.class,
                        () -> codec.decode(text.substring(0, text.length() - 4)));
        assertEquals(
                "a round message of 38 bytes says it holds 2 values: expected 1", cut.getMessage());
    }
}
