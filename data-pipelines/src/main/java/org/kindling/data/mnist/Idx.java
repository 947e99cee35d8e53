package org.kindling.data.mnist;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.kindling.data.BadInput;
import org.kindling.data.ImageRecord;

/**
 * MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST): big-endian int32 magic {@code 0x00000803}
 * for images (count, rows, columns, then unsigned bytes) and {@code 0x00000801} for labels (count,
 * then one byte each), raw or gzip-compressed (detected from the content).
 */
public final class Idx {
    /** Magic number of an image file (unsigned bytes, 3 dimensions). */
    public static final int IMAGES_MAGIC = 0x00000803;

    /** Magic number of a label file (unsigned bytes, 1 dimension). */
    public static final int LABELS_MAGIC = 0x00000801;

    private Idx() {}

    /** Images and labels of one split. */
    public record Data(int rows, int cols, List<ImageRecord> records) {}

    /**
     * Reads an image file and its label file into records (1 channel, rows x cols).
     *
     * @param numClasses labels must be below this
     * @throws IllegalArgumentException naming the file, the bad value and what was expected
     */
    public static Data read(
            String imagesPath, String labelsPath, int numClasses, Configuration conf) {
        return read(imagesPath, labelsPath, numClasses, conf, BadInput.Policy.FAIL, null);
    }

    /**
     * Like {@link #read(String, String, int, Configuration)}; with {@code SKIP} a label out of
     * range drops its image and is counted in {@code report} (structural errors always fail).
     */
    public static Data read(
            String imagesPath,
            String labelsPath,
            int numClasses,
            Configuration conf,
            BadInput.Policy policy,
            BadInput.Report report) {
        try (DataInputStream img = open(imagesPath, conf);
                DataInputStream lab = open(labelsPath, conf)) {
            int magic = img.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new IllegalArgumentException(
                        String.format(
                                "%s: IDX magic number is 0x%08x, expected 0x%08x for an image file",
                                imagesPath, magic, IMAGES_MAGIC));
            }
            int n = img.readInt();
            int rows = img.readInt();
            int cols = img.readInt();
            if (n < 0 || rows <= 0 || cols <= 0) {
                throw new IllegalArgumentException(
                        imagesPath
                                + ": bad IDX dimensions count="
                                + n
                                + ", rows="
                                + rows
                                + ", cols="
                                + cols);
            }
            int lmagic = lab.readInt();
            if (lmagic != LABELS_MAGIC) {
                throw new IllegalArgumentException(
                        String.format(
                                "%s: IDX magic number is 0x%08x, expected 0x%08x for a label file",
                                labelsPath, lmagic, LABELS_MAGIC));
            }
            int ln = lab.readInt();
            if (ln != n) {
                throw new IllegalArgumentException(
                        "inconsistent IDX counts: "
                                + imagesPath
                                + " has "
                                + n
                                + " images but "
                                + labelsPath
                                + " has "
                                + ln
                                + " labels");
            }
            List<ImageRecord> out = new ArrayList<>(n);
            int size = rows * cols;
            for (int i = 0; i < n; i++) {
                byte[] px = new byte[size];
                try {
                    img.readFully(px);
                } catch (EOFException e) {
                    throw new IllegalArgumentException(
                            imagesPath
                                    + ": truncated: image "
                                    + i
                                    + " of "
                                    + n
                                    + " ends at byte offset "
                                    + (16L + (long) i * size)
                                    + " + "
                                    + size
                                    + " past the end of the file");
                }
                int label = lab.read();
                if (label < 0) {
                    throw new IllegalArgumentException(
                            labelsPath + ": truncated: label " + i + " of " + n + " is missing");
                }
                if (label >= numClasses && policy == BadInput.Policy.SKIP) {
                    report.skip(labelsPath, "label " + i + " is " + label);
                    continue;
                }
                if (label >= numClasses) {
                    throw new IllegalArgumentException(
                            labelsPath
                                    + ": label "
                                    + i
                                    + " (byte offset "
                                    + (8 + i)
                                    + ") is "
                                    + label
                                    + ", expected 0.."
                                    + (numClasses - 1));
                }
                out.add(new ImageRecord(label, px));
            }
            if (img.read() >= 0) {
                throw new IllegalArgumentException(
                        imagesPath + ": has bytes after the " + n + " images its header announces");
            }
            return new Data(rows, cols, out);
        } catch (EOFException e) {
            throw new IllegalArgumentException(
                    "IDX file " + imagesPath + " or " + labelsPath + " is shorter than its header");
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read IDX files "
                            + imagesPath
                            + ", "
                            + labelsPath
                            + ": "
                            + org.kindling.data.Errors.describe(e),
                    e);
        }
    }

    private static DataInputStream open(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(conf);
        if (!fs.exists(p)) {
            throw new IllegalArgumentException("IDX file " + path + " does not exist");
        }
        BufferedInputStream in = new BufferedInputStream(fs.open(p), 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        InputStream s =
                (b1 == 0x1f && b2 == 0x8b)
                        ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16))
                        : in;
        return new DataInputStream(s);
    }
}
