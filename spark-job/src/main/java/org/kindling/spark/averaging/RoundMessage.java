package org.kindling.spark.averaging;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * What one worker tells the others after a round when the workers average among themselves ({@link
 * Exchange#TASKS}): its round statistics and, if it trained, its float32 flat vector [parameters |
 * optimizer state | buffers]. Travels as text through Spark's barrier {@code allGather}, which
 * orders the messages by partition.
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

    String encode() {
        int n = values == null ? 0 : values.length;
        ByteBuffer b = ByteBuffer.allocate(HEADER + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(partition)
                .put((byte) (trained ? 1 : 0))
                .put((byte) (bad ? 1 : 0))
                .putDouble(lossSum)
                .putLong(batches)
                .putLong(examples)
                .putInt(n);
        if (n > 0) {
            b.asFloatBuffer().put(values);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    static RoundMessage decode(String text) {
        ByteBuffer b =
                ByteBuffer.wrap(Base64.getDecoder().decode(text)).order(ByteOrder.LITTLE_ENDIAN);
        int partition = b.getInt();
        boolean trained = b.get() != 0;
        boolean bad = b.get() != 0;
        double loss = b.getDouble();
        long batches = b.getLong();
        long examples = b.getLong();
        int n = b.getInt();
        float[] v = new float[n];
        b.asFloatBuffer().get(v);
        return new RoundMessage(partition, trained, bad, loss, batches, examples, v);
    }
}
