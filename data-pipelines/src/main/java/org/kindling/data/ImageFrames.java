package org.kindling.data;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Labelled images as a Spark SQL {@code Dataset<Row>}, for Spark SQL and Spark ML users, and the
 * cheap conversions to and from the compact record RDD the trainer uses. Schema ({@link #SCHEMA}):
 *
 * <pre>
 * label       int     class index
 * class_name  string  class name (null if unknown)
 * image       binary  pixels as unsigned bytes, CHW (channel planes of rows)
 * height      int
 * width       int
 * channels    int     1 (grayscale) or 3 (RGB)
 * origin      string  where the image came from (file path; null for record files such as CIFAR)
 * </pre>
 */
public final class ImageFrames {
    /** The DataFrame schema of labelled images. */
    public static final StructType SCHEMA =
            DataTypes.createStructType(
                    new StructField[] {
                        DataTypes.createStructField("label", DataTypes.IntegerType, false),
                        DataTypes.createStructField("class_name", DataTypes.StringType, true),
                        DataTypes.createStructField("image", DataTypes.BinaryType, false),
                        DataTypes.createStructField("height", DataTypes.IntegerType, false),
                        DataTypes.createStructField("width", DataTypes.IntegerType, false),
                        DataTypes.createStructField("channels", DataTypes.IntegerType, false),
                        DataTypes.createStructField("origin", DataTypes.StringType, true)
                    });

    private ImageFrames() {}

    /** Records as a DataFrame; {@code classes} gives the class names (or null). */
    public static Dataset<Row> fromRecords(
            SparkSession spark, JavaRDD<ImageRecord> records, long[] shape, List<String> classes) {
        int c = (int) shape[0], h = (int) shape[1], w = (int) shape[2];
        List<String> names = classes == null ? null : List.copyOf(classes);
        JavaRDD<Row> rows =
                records.map(
                        r ->
                                RowFactory.create(
                                        r.label(),
                                        names == null ? null : names.get(r.label()),
                                        r.pixels(),
                                        h,
                                        w,
                                        c,
                                        null));
        return spark.createDataFrame(rows, SCHEMA);
    }

    /**
     * The compact records of a DataFrame with {@link #SCHEMA}; every image must have {@code shape}.
     *
     * @throws IllegalArgumentException (in the job) naming the row's origin and its shape
     */
    public static JavaRDD<ImageRecord> toRecords(Dataset<Row> df, long[] shape) {
        long[] s = shape.clone();
        return df.select("label", "image", "height", "width", "channels", "origin")
                .javaRDD()
                .map(
                        r -> {
                            long[] got = {r.getInt(4), r.getInt(2), r.getInt(3)};
                            if (!Arrays.equals(got, s)) {
                                throw new IllegalArgumentException(
                                        "image "
                                                + r.getString(5)
                                                + " has shape "
                                                + Arrays.toString(got)
                                                + ", expected "
                                                + Arrays.toString(s));
                            }
                            return new ImageRecord(r.getInt(0), (byte[]) r.get(1));
                        });
    }

    /** Writes a DataFrame of images as Parquet (overwriting), so later runs skip decoding. */
    public static void writeParquet(Dataset<Row> df, String path) {
        df.write().mode("overwrite").parquet(path);
    }

    /**
     * Reads images written by {@link #writeParquet}.
     *
     * @throws IllegalArgumentException if the file's schema is not {@link #SCHEMA}
     */
    public static Dataset<Row> readParquet(SparkSession spark, String path) {
        Dataset<Row> df = spark.read().parquet(path);
        for (StructField f : SCHEMA.fields()) {
            if (!Arrays.asList(df.columns()).contains(f.name())) {
                throw new IllegalArgumentException(
                        "Parquet data at "
                                + path
                                + " has columns "
                                + Arrays.toString(df.columns())
                                + "; expected the image schema "
                                + SCHEMA.simpleString());
            }
        }
        return df;
    }
}
