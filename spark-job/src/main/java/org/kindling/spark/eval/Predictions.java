package org.kindling.spark.eval;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.kindling.data.ImageRecord;
import org.kindling.data.batch.Batch;
import org.kindling.data.batch.BatchBuffer;
import org.kindling.data.batch.Normalization;
import org.kindling.data.folder.ImageFolder;
import org.kindling.data.transforms.Resize;
import org.kindling.nn.training.Learner;
import org.kindling.nn.training.ModelState;

/**
 * Class predictions for image files, computed on Spark: the files (one image, or every JPEG, PNG
 * and BMP under a folder at any depth, any Hadoop URI) are read with Spark's {@code binaryFile}
 * source; each partition builds one {@link Learner} from the broadcast model, decodes its images,
 * converts them to the model's channels (RGB or grayscale), resizes them (bilinear) to the model's
 * input height and width, normalises them and predicts in batches of {@value #BATCH}.
 *
 * <p>Columns: {@code path} (string), {@code prediction} (int, the arg-max class), {@code
 * class_name} (string, null when the model does not name its classes) and {@code p_0} .. {@code
 * p_<n-1>} (double, the class probabilities); rows sorted by path.
 */
public final class Predictions {
    /** Image files the source picks up. */
    public static final String GLOB = "*.{jpg,jpeg,png,bmp,JPG,JPEG,PNG,BMP}";

    private static final int BATCH = 64;

    private Predictions() {}

    /**
     * Predicts every image at {@code input}.
     *
     * @throws IllegalArgumentException if {@code input} does not exist or holds no image; an
     *     undecodable image fails its task with the image's path
     */
    public static Dataset<Row> of(
            JavaSparkContext sc,
            String input,
            ModelState model,
            Normalization norm,
            List<String> classNames) {
        checkInput(sc, input);
        SparkSession spark = ImageFolder.session(sc);
        JavaRDD<Row> files =
                spark.read()
                        .format("binaryFile")
                        .option("recursiveFileLookup", "true")
                        .option("pathGlobFilter", GLOB)
                        .load(input)
                        .select("path", "content")
                        .javaRDD();
        Broadcast<ModelState> bc = sc.broadcast(model);
        JavaRDD<Row> rows = files.mapPartitions(it -> predict(it, bc.value(), norm, classNames));
        return spark.createDataFrame(rows, schema(model.definition().numClasses())).orderBy("path");
    }

    /** The output schema for {@code classes} classes. */
    public static StructType schema(int classes) {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField("path", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("prediction", DataTypes.IntegerType, false));
        f.add(DataTypes.createStructField("class_name", DataTypes.StringType, true));
        for (int c = 0; c < classes; c++) {
            f.add(DataTypes.createStructField("p_" + c, DataTypes.DoubleType, false));
        }
        return DataTypes.createStructType(f);
    }

    private static void checkInput(JavaSparkContext sc, String input) {
        try {
            Path p = new Path(input);
            FileSystem fs = p.getFileSystem(sc.hadoopConfiguration());
            if (!fs.exists(p)) {
                throw new IllegalArgumentException(
                        "--input '"
                                + input
                                + "' does not exist; expected an image file or a folder");
            }
            if (fs.getFileStatus(p).isDirectory()) {
                boolean any = false;
                var it = fs.listFiles(p, true);
                java.nio.file.PathMatcher images =
                        java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + GLOB);
                while (!any && it.hasNext()) {
                    any = images.matches(java.nio.file.Paths.get(it.next().getPath().getName()));
                }
                if (!any) {
                    throw new IllegalArgumentException(
                            "--input '" + input + "' has no image files (expected " + GLOB + ")");
                }
            } else if (!java.nio.file.FileSystems.getDefault()
                    .getPathMatcher("glob:" + GLOB)
                    .matches(java.nio.file.Paths.get(p.getName()))) {
                throw new IllegalArgumentException(
                        "--input '"
                                + input
                                + "' is not a JPEG, PNG or BMP file (expected "
                                + GLOB
                                + ")");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--input '" + input + "': cannot list it (" + e.getMessage() + ")", e);
        }
    }

    private static Iterator<Row> predict(
            Iterator<Row> files, ModelState model, Normalization norm, List<String> classNames) {
        long[] shape = model.definition().inputShape();
        int classes = model.definition().numClasses();
        Learner learner = model.learner();
        List<Row> out = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        List<ImageRecord> chunk = new ArrayList<>();
        BatchBuffer batches = new BatchBuffer();
        while (files.hasNext()) {
            Row r = files.next();
            paths.add(r.getString(0));
            chunk.add(new ImageRecord(0, pixels(r.getString(0), (byte[]) r.get(1), shape)));
            if (chunk.size() == BATCH || !files.hasNext()) {
                float[][] p;
                Batch b = batches.fill(chunk, shape, norm, classes, false);
                p = learner.probabilities(b.features()).toFloatMatrix();
                for (int i = 0; i < p.length; i++) {
                    int best = Evaluation.argmax(p[i]);
                    Object[] v = new Object[3 + classes];
                    v[0] = paths.get(i);
                    v[1] = best;
                    v[2] = classNames == null ? null : classNames.get(best);
                    for (int c = 0; c < classes; c++) v[3 + c] = (double) p[i][c];
                    out.add(RowFactory.create(v));
                }
                chunk.clear();
                paths.clear();
            }
        }
        return out.iterator();
    }

    /**
     * The image's pixels as the model takes them: [C, H, W] bytes, RGB or grayscale (ITU-R 601
     * luma), resized bilinearly to the model's height and width.
     *
     * @throws IllegalArgumentException naming the file if it cannot be decoded
     */
    static byte[] pixels(String path, byte[] bytes, long[] shape) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            img = null;
        }
        if (img == null) {
            throw new IllegalArgumentException(
                    "image "
                            + path
                            + " cannot be decoded as JPEG, PNG or BMP ("
                            + bytes.length
                            + " bytes)");
        }
        int channels = (int) shape[0];
        int h = img.getHeight();
        int w = img.getWidth();
        byte[] px = org.kindling.data.folder.ImageFolder.pixels(img, channels);
        int oh = (int) shape[1];
        int ow = (int) shape[2];
        return h == oh && w == ow ? px : Resize.resize(px, channels, h, w, oh, ow);
    }
}
