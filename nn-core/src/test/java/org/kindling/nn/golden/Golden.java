package org.kindling.nn.golden;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Base64;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Reading PyTorch's golden.json and comparing numbers with its tolerances. */
final class Golden {
    private Golden() {}

    /** The golden file: system property {@code kindling.golden}, else the shared reference copy. */
    static Path path() {
        String p = System.getProperty("kindling.golden");
        if (p == null || p.isBlank()) {
            p =
                    System.getProperty("kindling.shared", "../../shared")
                            + "/reference/pytorch/golden.json";
        }
        Path path = Paths.get(p);
        // Maven runs the tests in the module folder; a relative path given on the command line
        // (e.g. ../shared/...) is meant from the project root, one level up.
        if (!path.isAbsolute()
                && !Files.exists(path)
                && Files.exists(Paths.get("..").resolve(path))) {
            return Paths.get("..").resolve(path).normalize();
        }
        return path;
    }

    static JsonObject load() throws IOException {
        Path p = path();
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(
                    "golden file not found: "
                            + p.toAbsolutePath()
                            + " (set -Dkindling.golden=PATH)");
        }
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    static double num(JsonElement e) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            switch (e.getAsString()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    throw new IllegalArgumentException("not a number: " + e);
            }
        }
        return e.getAsDouble();
    }

    static double[] nums(JsonArray a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = num(a.get(i));
        return v;
    }

    static long[] shape(JsonObject t) {
        JsonArray s = t.getAsJsonArray("shape");
        long[] shape = new long[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).getAsLong();
        return shape;
    }

    /** A tensor as an INDArray of its recorded dtype (float64, float32 or int64). */
    static INDArray tensor(JsonObject t) {
        String dtype = t.get("dtype").getAsString();
        long[] shape = shape(t);
        double[] v;
        if (t.has("b64")) {
            ByteBuffer b =
                    ByteBuffer.wrap(Base64.getDecoder().decode(t.get("b64").getAsString()))
                            .order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) Arrays.stream(shape).reduce(1, (a, c) -> a * c);
            v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] =
                        switch (dtype) {
                            case "float32" -> b.getFloat();
                            case "float64" -> b.getDouble();
                            default -> b.getLong();
                        };
            }
        } else {
            v = nums(t.getAsJsonArray("data"));
        }
        DataType type =
                switch (dtype) {
                    case "float64" -> DataType.DOUBLE;
                    case "float32" -> DataType.FLOAT;
                    case "int64" -> DataType.LONG;
                    default -> throw new IllegalArgumentException("unknown dtype " + dtype);
                };
        if (shape.length == 0) {
            return Nd4j.scalar(DataType.DOUBLE, v[0]).castTo(type);
        }
        return Nd4j.create(v, shape, DataType.DOUBLE).castTo(type);
    }

    /** Fails unless every value is identical (NaN equals NaN) and the shapes agree. */
    static void exact(String what, INDArray actual, INDArray expected) {
        close(what, actual, expected, 0, 0);
    }

    /** Fails unless |a - e| <= atol + rtol * |e| everywhere (NaN equals NaN). */
    static void close(String what, INDArray actual, INDArray expected, double rtol, double atol) {
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            throw new AssertionError(
                    what
                            + ": shape "
                            + Arrays.toString(actual.shape())
                            + ", expected "
                            + Arrays.toString(expected.shape()));
        }
        close(
                what,
                actual.castTo(DataType.DOUBLE).dup('c').data().asDouble(),
                expected.castTo(DataType.DOUBLE).dup('c').data().asDouble(),
                rtol,
                atol);
    }

    static void close(String what, double[] a, double[] e, double rtol, double atol) {
        if (a.length != e.length) {
            throw new AssertionError(what + ": " + a.length + " values, expected " + e.length);
        }
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(e[i]) && Double.isNaN(a[i])) continue;
            if (e[i] == a[i]) continue;
            if (!(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]))) {
                throw new AssertionError(
                        what
                                + ": element "
                                + i
                                + " is "
                                + a[i]
                                + ", expected "
                                + e[i]
                                + " (rtol "
                                + rtol
                                + ", atol "
                                + atol
                                + ")");
            }
        }
    }

    static void close(String what, double a, double e, double rtol, double atol) {
        close(what, new double[] {a}, new double[] {e}, rtol, atol);
    }

    /** Compares a checksum {sum, sumsq, absmax, numel}; the sum relative to sqrt(numel * sumsq). */
    static void checksum(String what, INDArray actual, JsonObject expected, double rtol) {
        double[] v = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double sum = 0, sumsq = 0, absmax = 0;
        for (double x : v) {
            sum += x;
            sumsq += x * x;
            absmax = Math.max(absmax, Math.abs(x));
        }
        long numel = expected.get("numel").getAsLong();
        if (numel != v.length) {
            throw new AssertionError(what + ": numel " + v.length + ", expected " + numel);
        }
        double eSumsq = expected.get("sumsq").getAsDouble();
        double scale = Math.sqrt(numel * eSumsq);
        close(what + " sum", sum, expected.get("sum").getAsDouble(), 0, rtol * scale);
        close(what + " sumsq", sumsq, eSumsq, rtol, 0);
        close(what + " absmax", absmax, expected.get("absmax").getAsDouble(), rtol, 0);
    }

    static int[] pair(JsonElement e) {
        if (e.isJsonArray()) {
            return new int[] {
                e.getAsJsonArray().get(0).getAsInt(), e.getAsJsonArray().get(1).getAsInt()
            };
        }
        return new int[] {e.getAsInt(), e.getAsInt()};
    }
}
