package org.kindling.spark.ml;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.kindling.data.ImageFrames;

/**
 * Reads one image per row from a features column, as Kindling's RGB (or grayscale) CHW unsigned
 * bytes. Two layouts:
 *
 * <ul>
 *   <li>{@link ImageFrames#SCHEMA}: a binary column of CHW bytes; the shape comes from the {@code
 *       channels}, {@code height} and {@code width} columns, else from the {@code imageShape}
 *       param.
 *   <li>Spark's image data source ({@code spark.read.format("image")}): a struct of {@code origin,
 *       height, width, nChannels, mode, data} with {@code data} interleaved HWC bytes in BGR or
 *       BGRA order (OpenCV's); BGR(A) becomes RGB (alpha is dropped), one channel stays grayscale.
 * </ul>
 */
final class ImageColumn implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The pixels of one row: CHW bytes, [C, H, W], and where the image came from (or null). */
    record Pixels(byte[] chw, long[] shape, String origin) {}

    private final String name;
    private final int index;
    private final boolean struct;
    // binary layout: columns of channels, height, width, origin (-1 if absent)
    private final int[] shapeColumns;
    private final int originColumn;
    private final long[] fixedShape;
    // struct layout: fields origin, height, width, nChannels, data
    private final int[] fields;

    private ImageColumn(
            String name,
            int index,
            boolean struct,
            int[] shapeColumns,
            int originColumn,
            long[] fixedShape,
            int[] fields) {
        this.name = name;
        this.index = index;
        this.struct = struct;
        this.shapeColumns = shapeColumns;
        this.originColumn = originColumn;
        this.fixedShape = fixedShape;
        this.fields = fields;
    }

    /**
     * The reader of column {@code featuresCol} of {@code schema}.
     *
     * @param imageShape [C, H, W] for a binary column without shape columns, or null
     * @throws IllegalArgumentException naming the column, its type and the layouts expected
     */
    static ImageColumn of(StructType schema, String featuresCol, long[] imageShape) {
        if (!Arrays.asList(schema.fieldNames()).contains(featuresCol)) {
            throw new IllegalArgumentException(
                    "featuresCol '"
                            + featuresCol
                            + "' is not a column; the columns are "
                            + Arrays.toString(schema.fieldNames()));
        }
        int index = schema.fieldIndex(featuresCol);
        DataType type = schema.fields()[index].dataType();
        if (type.equals(DataTypes.BinaryType)) {
            int[] shapeCols = new int[3];
            String[] names = {"channels", "height", "width"};
            for (int i = 0; i < 3; i++) {
                shapeCols[i] = intColumn(schema, names[i]);
            }
            boolean haveShape = Arrays.stream(shapeCols).allMatch(i -> i >= 0);
            if (!haveShape && imageShape == null) {
                throw new IllegalArgumentException(
                        "featuresCol '"
                                + featuresCol
                                + "' is binary, but the DataFrame has no int columns channels,"
                                + " height and width (ImageFrames schema) and imageShape is not"
                                + " set; set imageShape to [channels, height, width]");
            }
            int origin =
                    Arrays.asList(schema.fieldNames()).contains("origin")
                                    && schema.apply("origin")
                                            .dataType()
                                            .equals(DataTypes.StringType)
                            ? schema.fieldIndex("origin")
                            : -1;
            return new ImageColumn(
                    featuresCol,
                    index,
                    false,
                    haveShape ? shapeCols : null,
                    origin,
                    imageShape == null ? null : imageShape.clone(),
                    null);
        }
        if (type instanceof StructType st) {
            String[] need = {"origin", "height", "width", "nChannels", "data"};
            int[] f = new int[need.length];
            for (int i = 0; i < need.length; i++) {
                if (!Arrays.asList(st.fieldNames()).contains(need[i])) {
                    f = null;
                    break;
                }
                f[i] = st.fieldIndex(need[i]);
            }
            if (f != null) {
                return new ImageColumn(featuresCol, index, true, null, -1, null, f);
            }
        }
        throw new IllegalArgumentException(
                "featuresCol '"
                        + featuresCol
                        + "' has type "
                        + type.simpleString()
                        + "; expected binary CHW bytes (ImageFrames schema) or the struct of"
                        + " Spark's image data source (origin, height, width, nChannels, mode,"
                        + " data)");
    }

    private static int intColumn(StructType schema, String name) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            return -1;
        }
        int i = schema.fieldIndex(name);
        return schema.fields()[i].dataType().equals(DataTypes.IntegerType) ? i : -1;
    }

    /** The column's name. */
    String name() {
        return name;
    }

    /**
     * The image of {@code row} (a row of the schema this reader was made for).
     *
     * @throws IllegalArgumentException for a null image, a byte count that does not match the
     *     shape, or an unsupported channel count, naming the image's origin
     */
    Pixels read(Row row) {
        if (row.isNullAt(index)) {
            throw new IllegalArgumentException(
                    "featuresCol '" + name + "' is null in row " + row + "; expected an image");
        }
        return struct ? fromImageSource(row.getStruct(index)) : fromBinary(row);
    }

    private Pixels fromBinary(Row row) {
        byte[] px = (byte[]) row.get(index);
        long[] shape =
                shapeColumns != null
                        ? new long[] {
                            row.getInt(shapeColumns[0]),
                            row.getInt(shapeColumns[1]),
                            row.getInt(shapeColumns[2])
                        }
                        : fixedShape;
        String origin = originColumn >= 0 ? row.getString(originColumn) : null;
        long n = shape[0] * shape[1] * shape[2];
        if (px.length != n) {
            throw new IllegalArgumentException(
                    "image "
                            + origin
                            + " in featuresCol '"
                            + name
                            + "' has "
                            + px.length
                            + " bytes, expected "
                            + n
                            + " for shape "
                            + Arrays.toString(shape)
                            + " (CHW)");
        }
        return new Pixels(px, shape, origin);
    }

    private Pixels fromImageSource(Row img) {
        String origin = img.getString(fields[0]);
        int h = img.getInt(fields[1]);
        int w = img.getInt(fields[2]);
        int n = img.getInt(fields[3]);
        byte[] data = (byte[]) img.get(fields[4]);
        if (n != 1 && n != 3 && n != 4) {
            throw new IllegalArgumentException(
                    "image "
                            + origin
                            + " has nChannels "
                            + n
                            + "; expected 1 (grayscale), 3 (BGR) or 4 (BGRA)");
        }
        int plane = h * w;
        if (data.length != (long) plane * n) {
            throw new IllegalArgumentException(
                    "image "
                            + origin
                            + " has "
                            + data.length
                            + " bytes, expected height*width*nChannels = "
                            + (long) plane * n
                            + " (8-bit pixels)");
        }
        if (n == 1) {
            return new Pixels(data, new long[] {1, h, w}, origin);
        }
        byte[] chw = new byte[3 * plane];
        for (int p = 0; p < plane; p++) {
            int at = p * n; // B, G, R(, A)
            chw[p] = data[at + 2];
            chw[plane + p] = data[at + 1];
            chw[2 * plane + p] = data[at];
        }
        return new Pixels(chw, new long[] {3, h, w}, origin);
    }
}
