package org.kindling.data.folder;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kindling.data.BadInput;
import org.kindling.data.ImageRecord;
import org.kindling.data.RecordDecoder;
import org.kindling.data.transforms.Resize;

/**
 * An image tree kept as its encoded files: records hold the label and the file's bytes (a
 * CIFAR-size JPEG is ~1 KB, its 224x224 pixels 150 KB), and {@link #decoder} turns them into pixels
 * per mini-batch inside tasks. Every file is checked up front by reading its header (format and
 * size, not the pixels), so an undecodable or wrongly sized image still fails before training.
 */
public final class EncodedImages {
    static {
        ImageIO.setUseCache(
                false); // in memory: ImageIO otherwise buffers every stream in a temp file
    }

    private EncodedImages() {}

    /** Encoded records of the tree and the shape they decode to. */
    public record Read(JavaRDD<ImageRecord> records, long[] shape) {}

    /**
     * Reads {@code root}'s image files as encoded records, in a fixed order (sorted by path).
     *
     * @param size resize to size x size, or 0 to keep the images' size (which must then agree)
     */
    public static Read read(
            SparkSession spark,
            String root,
            int size,
            int channels,
            BadInput.Policy policy,
            BadInput.Report report) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3 but was: " + channels);
        }
        List<String> classes =
                ImageFolder.classes(root, spark.sparkContext().hadoopConfiguration());
        for (String empty :
                ImageFolder.emptyImages(root, spark.sparkContext().hadoopConfiguration())) {
            ImageFolder.bad(empty, "is empty (0 bytes)", policy, report);
        }
        JavaRDD<Row> files =
                spark.read()
                        .format("binaryFile")
                        .option("recursiveFileLookup", "true")
                        .option("pathGlobFilter", ImageFolder.GLOB)
                        .load(root)
                        .select("path", "content")
                        .orderBy("path")
                        .javaRDD();
        // (label, bytes, height, width) after a header check; bad files per the policy
        JavaRDD<Object[]> checked =
                files.flatMap(
                        r -> {
                            String path = r.getString(0);
                            byte[] bytes = (byte[]) r.get(1);
                            String cls = new org.apache.hadoop.fs.Path(path).getParent().getName();
                            int label = classes.indexOf(cls);
                            if (label < 0) {
                                ImageFolder.bad(
                                        path,
                                        "is not inside a class folder (classes " + classes + ")",
                                        policy,
                                        report);
                                return List.<Object[]>of().iterator();
                            }
                            int[] hw = header(bytes);
                            if (hw == null) {
                                ImageFolder.bad(
                                        path,
                                        "cannot be decoded as JPEG, PNG or BMP ("
                                                + bytes.length
                                                + " bytes)",
                                        policy,
                                        report);
                                return List.<Object[]>of().iterator();
                            }
                            Iterator<Object[]> one =
                                    List.<Object[]>of(
                                                    new Object[] {label, bytes, hw[0], hw[1], path})
                                            .iterator();
                            return one;
                        });
        long[] shape;
        if (size > 0) {
            shape = new long[] {channels, size, size};
        } else {
            List<String> sizes = checked.map(o -> o[2] + "x" + o[3]).distinct().take(3);
            if (sizes.size() > 1) {
                throw new IllegalArgumentException(
                        "images under "
                                + root
                                + " have different sizes (e.g. "
                                + sizes
                                + "); give a size to resize them to (--image-size)");
            }
            if (sizes.isEmpty()) {
                throw new IllegalArgumentException("no readable images under " + root);
            }
            String[] hw = sizes.get(0).split("x");
            shape = new long[] {channels, Long.parseLong(hw[0]), Long.parseLong(hw[1])};
        }
        return new Read(checked.map(o -> new ImageRecord((Integer) o[0], (byte[]) o[1])), shape);
    }

    /** Decodes records to {@code shape} [C, H, W] (RGB or grayscale, bilinear resize). */
    public static RecordDecoder decoder(long[] shape) {
        int c = (int) shape[0];
        int h = (int) shape[1];
        int w = (int) shape[2];
        return stored -> {
            BufferedImage img;
            try {
                img = ImageIO.read(new ByteArrayInputStream(stored.pixels()));
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot decode an image of class " + stored.label(), e);
            }
            if (img == null) {
                throw new IllegalArgumentException(
                        "an image of class "
                                + stored.label()
                                + " ("
                                + stored.pixels().length
                                + " bytes) cannot be decoded");
            }
            byte[] px = ImageFolder.pixels(img, c);
            if (img.getHeight() != h || img.getWidth() != w) {
                px = Resize.resize(px, c, img.getHeight(), img.getWidth(), h, w);
            }
            return new ImageRecord(stored.label(), px);
        };
    }

    /** {height, width} from the file's header, or null if no reader understands it. */
    static int[] header(byte[] bytes) {
        try (ImageInputStream in =
                ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            if (in == null) {
                return null;
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                return new int[] {r.getHeight(0), r.getWidth(0)};
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
