package org.kindling.nn.io;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The safetensors format (Hugging Face; read by {@code safetensors.torch.load_file}): an 8-byte
 * little-endian header length, a JSON header mapping each tensor name to its dtype, shape and byte
 * range, then the raw little-endian row-major data. Kindling writes F32, F64 and I64 tensors and
 * reads F32, F64, I64 and I32.
 */
public final class SafeTensors {
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /** Writes {@code tensors} in order, with optional string {@code metadata}. */
    public static void write(
            Map<String, INDArray> tensors, Map<String, String> metadata, OutputStream out)
            throws IOException {
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            INDArray a = e.getValue();
            JsonObject t = new JsonObject();
            t.addProperty("dtype", dtypeName(a.dataType(), e.getKey()));
            com.google.gson.JsonArray shape = new com.google.gson.JsonArray();
            for (long s : a.shape()) shape.add(s);
            t.add("shape", shape);
            long bytes = a.length() * a.dataType().width();
            com.google.gson.JsonArray range = new com.google.gson.JsonArray();
            range.add(offset);
            range.add(offset + bytes);
            t.add("data_offsets", range);
            header.add(e.getKey(), t);
            offset += bytes;
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - json.length % 8) % 8;
        byte[] padded = new byte[json.length + pad];
        System.arraycopy(json, 0, padded, 0, json.length);
        for (int i = json.length; i < padded.length; i++) padded[i] = ' ';
        out.write(
                ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(padded.length)
                        .array());
        out.write(padded);
        for (INDArray a : tensors.values()) {
            INDArray c = a.dup('c');
            ByteBuffer buf =
                    ByteBuffer.allocate((int) (c.length() * c.dataType().width()))
                            .order(ByteOrder.LITTLE_ENDIAN);
            if (c.dataType() == DataType.DOUBLE) {
                for (double v : c.data().asDouble()) buf.putDouble(v);
            } else if (c.dataType() == DataType.LONG) {
                for (long v : c.data().asLong()) buf.putLong(v);
            } else {
                for (float v : c.data().asFloat()) buf.putFloat(v);
            }
            out.write(buf.array());
        }
    }

    /** A parsed file: tensors in file order and the string metadata. */
    public record Contents(Map<String, INDArray> tensors, Map<String, String> metadata) {}

    /**
     * Reads a whole safetensors stream.
     *
     * @param source names the file in error messages
     * @throws IOException with the source and the problem if the data is truncated, corrupt or not
     *     safetensors
     */
    public static Contents read(InputStream in, String source) throws IOException {
        DataInputStream din = new DataInputStream(in);
        byte[] lenBytes = new byte[8];
        try {
            din.readFully(lenBytes);
        } catch (EOFException e) {
            throw new IOException(
                    source + ": not a safetensors file (shorter than its 8-byte header length)");
        }
        long headerLen = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen <= 1 || headerLen > MAX_HEADER) {
            throw new IOException(
                    source
                            + ": not a safetensors file (header length "
                            + headerLen
                            + " is outside 2.."
                            + MAX_HEADER
                            + ")");
        }
        byte[] headerBytes = new byte[(int) headerLen];
        try {
            din.readFully(headerBytes);
        } catch (EOFException e) {
            throw new IOException(
                    source
                            + ": truncated safetensors file (header of "
                            + headerLen
                            + " bytes is cut short)");
        }
        JsonObject header;
        try {
            JsonElement el =
                    JsonParser.parseString(new String(headerBytes, StandardCharsets.UTF_8).trim());
            if (!el.isJsonObject()) throw new JsonParseException("header is not a JSON object");
            header = el.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(source + ": corrupt safetensors header (" + e.getMessage() + ")");
        }
        byte[] body = din.readAllBytes();
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                e.getValue()
                        .getAsJsonObject()
                        .entrySet()
                        .forEach(m -> metadata.put(m.getKey(), m.getValue().getAsString()));
                continue;
            }
            try {
                JsonObject t = e.getValue().getAsJsonObject();
                String dtype = t.get("dtype").getAsString();
                long[] shape = new long[t.getAsJsonArray("shape").size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.getAsJsonArray("shape").get(i).getAsLong();
                    n *= shape[i];
                }
                long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong();
                long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
                int width = width(dtype, source, e.getKey());
                if (begin < 0 || end < begin || end - begin != n * width) {
                    throw new IOException(
                            source
                                    + ": tensor '"
                                    + e.getKey()
                                    + "' has byte range ["
                                    + begin
                                    + ", "
                                    + end
                                    + ") that does not fit its shape and dtype "
                                    + dtype);
                }
                if (end > body.length) {
                    throw new IOException(
                            source
                                    + ": truncated safetensors file: tensor '"
                                    + e.getKey()
                                    + "' needs bytes up to "
                                    + end
                                    + " but the data section has "
                                    + body.length);
                }
                tensors.put(
                        e.getKey(),
                        decode(
                                ByteBuffer.wrap(body, (int) begin, (int) (end - begin))
                                        .order(ByteOrder.LITTLE_ENDIAN),
                                dtype,
                                shape,
                                (int) n));
            } catch (RuntimeException ex) {
                throw new IOException(
                        source + ": corrupt entry for tensor '" + e.getKey() + "' (" + ex + ")");
            }
        }
        return new Contents(tensors, metadata);
    }

    private static INDArray decode(ByteBuffer b, String dtype, long[] shape, int n) {
        switch (dtype) {
            case "F32":
                {
                    float[] v = new float[n];
                    b.asFloatBuffer().get(v);
                    return Nd4j.create(v, shape, 'c');
                }
            case "F64":
                {
                    double[] v = new double[n];
                    b.asDoubleBuffer().get(v);
                    return Nd4j.create(v, shape, 'c');
                }
            case "I64":
                {
                    long[] v = new long[n];
                    b.asLongBuffer().get(v);
                    return Nd4j.createFromArray(v).reshape('c', shape);
                }
            default:
                {
                    int[] v = new int[n];
                    b.asIntBuffer().get(v);
                    return Nd4j.createFromArray(v).reshape('c', shape);
                }
        }
    }

    private static int width(String dtype, String source, String name) throws IOException {
        switch (dtype) {
            case "F32":
            case "I32":
                return 4;
            case "F64":
            case "I64":
                return 8;
            default:
                throw new IOException(
                        source
                                + ": tensor '"
                                + name
                                + "' has dtype "
                                + dtype
                                + "; Kindling reads F32, F64, I32 and I64");
        }
    }

    private static String dtypeName(DataType t, String name) {
        switch (t) {
            case FLOAT:
                return "F32";
            case DOUBLE:
                return "F64";
            case LONG:
                return "I64";
            default:
                throw new IllegalArgumentException(
                        "tensor '"
                                + name
                                + "' has data type "
                                + t
                                + "; only FLOAT, DOUBLE and LONG are written");
        }
    }
}
