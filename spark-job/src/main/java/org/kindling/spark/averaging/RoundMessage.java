package org.kindling.spark.averaging;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What one worker tells the others after a round when the workers average among themselves ({@link
 * Exchange#TASKS}): its round statistics and, if it trained, its float32 flat vector [parameters |
 * optimizer state | buffers]. Travels as text through Spark's barrier {@code allGather}, which
 * orders the messages by partition; {@link Codec} writes and reads that text.
 */
record RoundMessage(
        int partition,
        boolean trained,
        boolean bad,
        double lossSum,
        long batches,
        long examples,
        float[] values) {
    private static final int HEADER = 4 + 1 + 1 + 8 + 8 + 8 + 4;

    /**
     * Turns messages into text and back for one segment task, reusing its buffers from round to
     * round (not thread-safe). The text is the message's little-endian bytes, one character per
     * byte (ISO-8859-1 maps every byte to the character of the same value, and Java keeps such a
     * string as one byte per character): encoding is one copy into the string and decoding one copy
     * out of it. With Base64 and fresh arrays every round the exchange allocated about 13 copies of
     * the model per worker and round, most of the heap a 2-worker epoch allocated
     * (docs/PERFORMANCE.md, profile 30). A decoded message's values live in this codec until the
     * same partition's next message is decoded.
     */
    static final class Codec {
        private byte[] bytes = new byte[0];
        private final Map<Integer, float[]> values = new HashMap<>();

        /** The reused array for {@code partition}'s {@code n} values. */
        float[] values(int partition, int n) {
            float[] v = values.get(partition);
            if (v == null || v.length != n) {
                v = new float[n];
                values.put(partition, v);
            }
            return v;
        }

        String encode(RoundMessage m) {
            int n = m.values == null ? 0 : m.values.length;
            ByteBuffer b = buffer(HEADER + 4 * n);
            b.putInt(m.partition)
                    .put((byte) (m.trained ? 1 : 0))
                    .put((byte) (m.bad ? 1 : 0))
                    .putDouble(m.lossSum)
                    .putLong(m.batches)
                    .putLong(m.examples)
                    .putInt(n);
            if (n > 0) {
                b.asFloatBuffer().put(m.values);
            }
            return new String(bytes, 0, HEADER + 4 * n, StandardCharsets.ISO_8859_1);
        }

        @SuppressWarnings("deprecation") // copies each character's low byte: exact for ISO-8859-1
        RoundMessage decode(String text) {
            int length = text.length();
            if (length < HEADER || (length - HEADER) % 4 != 0) {
                throw new IllegalStateException(
                        "a round message of " + length + " bytes: expected " + HEADER + " + 4n");
            }
            ByteBuffer b = buffer(length);
            text.getBytes(0, length, bytes, 0);
            int partition = b.getInt();
            boolean trained = b.get() != 0;
            boolean bad = b.get() != 0;
            double loss = b.getDouble();
            long batches = b.getLong();
            long examples = b.getLong();
            int n = b.getInt();
            if (n != (length - HEADER) / 4) {
                throw new IllegalStateException(
                        "a round message of "
                                + length
                                + " bytes says it holds "
                                + n
                                + " values: expected "
                                + (length - HEADER) / 4);
            }
            float[] v = null;
            if (n > 0) {
                v = values(partition, n);
                b.asFloatBuffer().get(v);
            }
            return new RoundMessage(partition, trained, bad, loss, batches, examples, v);
        }

        /** {@code bytes}, grown to hold {@code length}, as a little-endian buffer at 0. */
        private ByteBuffer buffer(int length) {
            if (bytes.length < length) {
                bytes = new byte[length];
            }
            return ByteBuffer.wrap(bytes, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
