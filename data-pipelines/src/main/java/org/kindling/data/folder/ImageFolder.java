package org.kindling.data.folder;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.kindling.data.BadInput;
import org.kindling.data.ImageFrames;
import org.kindling.data.transforms.Resize;

/**
 * Folder-per-class image trees, like torchvision's {@code ImageFolder}: {@code
 * root/<class>/<image>} with JPEG, PNG or BMP files; classes are the sorted sub-folder names,
 * labels their indices. Files are read with Spark's own {@code binaryFile} source and decoded
 * inside tasks; images are converted to RGB or grayscale and, when a size is configured, resized
 * (bilinear). The result is a {@link ImageFrames} DataFrame (with each image's path as {@code
 * origin}).
 */
public final class ImageFolder {
    static final String GLOB = "*.{jpg,jpeg,png,bmp,JPG,JPEG,PNG,BMP}";

    private ImageFolder() {}

    /** The sorted class folders under {@code root}; each must hold at least one image. */
    public static List<String> classes(String root, org.apache.hadoop.conf.Configuration conf) {
        try {
            Path p = new Path(root);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                throw new IllegalArgumentException("image folder " + root + " does not exist");
            }
            List<String> out = new ArrayList<>();
            for (FileStatus st : fs.listStatus(p)) {
                if (st.isDirectory()) {
                    FileStatus[] images = fs.globStatus(new Path(st.getPath(), GLOB));
                    if (images == null || images.length == 0) {
                        throw new IllegalArgumentException(
                                "class folder "
                                        + st.getPath()
                                        + " has no images (expected files matching "
                                        + GLOB
                                        + ")");
                    }
                    out.add(st.getPath().getName());
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(
                        "image folder "
                                + root
                                + " has no class sub-folders; expected root/<class>/<image files>");
            }
            out.sort(null);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot list " + root + ": " + org.kindling.data.Errors.describe(e), e);
        }
    }

    /**
     * Reads the tree as a DataFrame with {@link ImageFrames#SCHEMA}.
     *
     * @param height target height, or 0 to require all images to have one size
     * @param width target width, or 0 (with height 0)
     * @param channels 3 (RGB) or 1 (grayscale)
     * @param policy what to do with an undecodable image
     * @param report where skipped images are counted (with {@code SKIP})
     */
    public static Dataset<Row> read(
            SparkSession spark,
            String root,
            int height,
            int width,
            int channels,
            BadInput.Policy policy,
            BadInput.Report report) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3 but was: " + channels);
        }
        List<String> classes = classes(root, spark.sparkContext().hadoopConfiguration());
        // Spark's file sources leave out empty files without a word; find them here.
        for (String empty : emptyImages(root, spark.sparkContext().hadoopConfiguration())) {
            bad(empty, "is empty (0 bytes)", policy, report);
        }
        JavaRDD<Row> files =
                spark.read()
                        .format("binaryFile")
                        .option("recursiveFileLookup", "true")
                        .option("pathGlobFilter", GLOB)
                        .load(root)
                        .select("path", "content")
                        .javaRDD();
        JavaRDD<Row> rows =
                files.flatMap(
                        r -> {
                            String path = r.getString(0);
                            Row out =
                                    decode(
                                            path,
                                            (byte[]) r.get(1),
                                            classes,
                                            height,
                                            width,
                                            channels,
                                            policy,
                                            report);
                            return out == null
                                    ? List.<Row>of().iterator()
                                    : List.of(out).iterator();
                        });
        Dataset<Row> df = spark.createDataFrame(rows, ImageFrames.SCHEMA);
        if (height == 0) {
            List<Row> sizes = df.select("height", "width").distinct().limit(3).collectAsList();
            if (sizes.size() > 1) {
                throw new IllegalArgumentException(
                        "images under "
                                + root
                                + " have different sizes (e.g. "
                                + sizes
                                + "); give a size to resize them to (--image-size)");
            }
        }
        return df;
    }

    /** The image files (by name) of 0 bytes under {@code root}, at any depth. */
    static List<String> emptyImages(String root, org.apache.hadoop.conf.Configuration conf) {
        java.nio.file.PathMatcher images =
                java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + GLOB);
        List<String> out = new ArrayList<>();
        try {
            Path p = new Path(root);
            org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(conf);
            // listStatus, not listFiles: a LocatedFileStatus of the local file system forks
            // `ls -ld` per file for its permissions (minutes for 60,000 images)
            java.util.ArrayDeque<Path> dirs = new java.util.ArrayDeque<>(List.of(p));
            while (!dirs.isEmpty()) {
                for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(dirs.pop())) {
                    if (st.isDirectory()) {
                        dirs.push(st.getPath());
                    } else if (st.getLen() == 0
                            && images.matches(java.nio.file.Paths.get(st.getPath().getName()))) {
                        out.add(st.getPath().toString());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot list " + root + ": " + org.kindling.data.Errors.describe(e), e);
        }
        out.sort(null);
        return out;
    }

    static Row decode(
            String path,
            byte[] bytes,
            List<String> classes,
            int height,
            int width,
            int channels,
            BadInput.Policy policy,
            BadInput.Report report)
            throws IOException {
        String cls = new Path(path).getParent().getName();
        int label = classes.indexOf(cls);
        if (label < 0) {
            return bad(
                    path, "is not inside a class folder (classes " + classes + ")", policy, report);
        }
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            img = null;
        }
        if (img == null) {
            return bad(
                    path,
                    "cannot be decoded as JPEG, PNG or BMP (" + bytes.length + " bytes)",
                    policy,
                    report);
        }
        int h = img.getHeight();
        int w = img.getWidth();
        byte[] px = pixels(img, channels);
        if (height > 0 && (h != height || w != width)) {
            px = Resize.resize(px, channels, h, w, height, width);
            h = height;
            w = width;
        }
        return RowFactory.create(label, cls, px, h, w, channels, path);
    }

    /**
     * CHW unsigned bytes of {@code img}: RGB planes, or grayscale (ITU-R 601 luma); the one
     * conversion used for training data and for prediction.
     */
    public static byte[] pixels(BufferedImage img, int channels) {
        int h = img.getHeight();
        int w = img.getWidth();
        byte[] px = new byte[channels * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
                if (channels == 1) {
                    px[y * w + x] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
                } else {
                    px[y * w + x] = (byte) r;
                    px[h * w + y * w + x] = (byte) g;
                    px[2 * h * w + y * w + x] = (byte) b;
                }
            }
        }
        return px;
    }

    static Row bad(String path, String reason, BadInput.Policy policy, BadInput.Report report) {
        if (policy == BadInput.Policy.FAIL) {
            throw new IllegalArgumentException(
                    "image " + path + " " + reason + "; use the skip policy to drop such files");
        }
        report.skip(path, reason);
        return null;
    }

    /** The context helper for callers that only have a Java context. */
    public static SparkSession session(JavaSparkContext sc) {
        return SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
    }
}
