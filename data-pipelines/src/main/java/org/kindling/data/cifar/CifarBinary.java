package org.kindling.data.cifar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.mapreduce.lib.input.FixedLengthInputFormat;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.kindling.data.BadInput;
import org.kindling.data.DataHome;
import org.kindling.data.Download;
import org.kindling.data.ImageRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Locating, validating and reading the CIFAR binary layouts ({@link CifarFormat}) into RDDs. */
public final class CifarBinary {
    private static final Logger log = LoggerFactory.getLogger(CifarBinary.class);

    private CifarBinary() {}

    /**
     * The data folder for a home: {@code HOME/<subdir>/<folder>}, {@code HOME/<folder>} or {@code
     * HOME}; downloads the official archive into {@code HOME/<subdir>} when missing locally.
     */
    public static String locate(CifarFormat f, String home, Configuration conf, boolean download) {
        return locate(f, home, conf, download, f.url(), f.md5());
    }

    /** {@link #locate(CifarFormat, String, Configuration, boolean)} from another archive URL. */
    static String locate(
            CifarFormat f,
            String home,
            Configuration conf,
            boolean download,
            String url,
            String md5) {
        List<String> candidates =
                List.of(home + "/" + f.subdir() + "/" + f.folder(), home + "/" + f.folder(), home);
        try {
            if (home.endsWith(".tar.gz")) {
                return unpack(f, home, conf);
            }
            for (String c : candidates) {
                org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(c);
                FileSystem fs = p.getFileSystem(conf);
                if (fs.exists(new org.apache.hadoop.fs.Path(p, f.trainFiles().get(0)))) {
                    return fs.makeQualified(p).toString();
                }
            }
            URI uri = new org.apache.hadoop.fs.Path(home).toUri();
            boolean local = uri.getScheme() == null || "file".equals(uri.getScheme());
            if (download && local) {
                DataHome.requireDownloadTarget(Paths.get(uri.getPath()), f.name());
                Path dir = Paths.get(uri.getPath()).resolve(f.subdir());
                Path archive = dir.resolve(url.substring(url.lastIndexOf('/') + 1));
                if (!Files.exists(archive) || !md5.equals(Download.md5(archive))) {
                    Download.fetch(url, md5, archive);
                }
                Download.untarGz(archive, dir);
                log.info("{} unpacked into {}", f.name(), dir.resolve(f.folder()));
                return dir.resolve(f.folder()).toAbsolutePath().toString();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot look for "
                            + f.name()
                            + " under "
                            + home
                            + ": "
                            + org.kindling.data.Errors.describe(e),
                    e);
        }
        throw new IllegalArgumentException(
                f.name()
                        + " not found: none of "
                        + candidates
                        + " contains "
                        + f.trainFiles().get(0)
                        + ". Expected the official binary layout ("
                        + f.folder()
                        + "/"
                        + String.join(", ", f.trainFiles())
                        + ", "
                        + String.join(", ", f.testFiles())
                        + "); set --data or "
                        + DataHome.ENV
                        + " to its location.");
    }

    /**
     * Unpacks the published archive at {@code archive} (any Hadoop URI), once, into the shared
     * cache {@link DataHome#SHARED_CACHE} if the configuration names one (a folder every executor
     * can read), else into the driver's local cache {@code ~/.cache/kindling/datasets/<subdir>},
     * and returns the data folder.
     */
    static String unpack(CifarFormat f, String archive, Configuration conf) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(archive);
        FileSystem fs = p.getFileSystem(conf);
        if (!fs.exists(p)) {
            throw new IllegalArgumentException(
                    f.name() + " archive " + archive + " does not exist");
        }
        String shared = conf.get(DataHome.SHARED_CACHE);
        if (shared != null) {
            org.apache.hadoop.fs.Path sdir =
                    new org.apache.hadoop.fs.Path(
                            new org.apache.hadoop.fs.Path(shared), f.subdir());
            FileSystem sfs = sdir.getFileSystem(conf);
            org.apache.hadoop.fs.Path sdata = new org.apache.hadoop.fs.Path(sdir, f.folder());
            if (!sfs.exists(new org.apache.hadoop.fs.Path(sdata, f.trainFiles().get(0)))) {
                org.apache.hadoop.fs.Path unpacked =
                        new org.apache.hadoop.fs.Path(
                                sdir, "unpacked-" + java.util.UUID.randomUUID());
                try (java.io.InputStream in = fs.open(p)) {
                    Download.untarGz(in, archive, sfs, unpacked);
                }
                org.apache.hadoop.fs.Path found =
                        new org.apache.hadoop.fs.Path(unpacked, f.folder());
                if (!sfs.exists(new org.apache.hadoop.fs.Path(found, f.trainFiles().get(0)))) {
                    sfs.delete(unpacked, true);
                    throw new IllegalArgumentException(
                            archive
                                    + " is not the "
                                    + f.name()
                                    + " archive: it has no "
                                    + f.folder()
                                    + "/"
                                    + f.trainFiles().get(0));
                }
                if (!sfs.rename(found, sdata) && !sfs.exists(sdata)) {
                    throw new IOException("cannot move " + found + " to " + sdata);
                }
                sfs.delete(unpacked, true);
                log.info("{} unpacked from {} into {}", f.name(), archive, sdata);
            }
            return sfs.makeQualified(sdata).toString();
        }
        Path dir = DataHome.defaultHome().resolve(f.subdir());
        Path data = dir.resolve(f.folder());
        if (!Files.exists(data.resolve(f.trainFiles().get(0)))) {
            try (java.io.InputStream in = fs.open(p)) {
                Download.untarGz(in, archive, dir);
            }
            if (!Files.exists(data.resolve(f.trainFiles().get(0)))) {
                throw new IllegalArgumentException(
                        archive
                                + " is not the "
                                + f.name()
                                + " archive: it has no "
                                + f.folder()
                                + "/"
                                + f.trainFiles().get(0));
            }
            log.info("{} unpacked from {} into {}", f.name(), archive, data);
        }
        return data.toAbsolutePath().toString();
    }

    /**
     * Checks that every file of a split exists and holds whole records; returns the record count.
     */
    public static long validate(CifarFormat f, String dir, boolean train, Configuration conf) {
        long total = 0;
        for (String name : f.files(train)) {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir, name);
            try {
                FileSystem fs = p.getFileSystem(conf);
                if (!fs.exists(p)) {
                    throw new IllegalArgumentException(
                            f.name()
                                    + " file "
                                    + p
                                    + " is missing; expected the files "
                                    + f.files(train)
                                    + " in "
                                    + dir);
                }
                FileStatus st = fs.getFileStatus(p);
                if (st.getLen() == 0 || st.getLen() % f.recordBytes() != 0) {
                    throw new IllegalArgumentException(
                            f.name()
                                    + " file "
                                    + p
                                    + " has "
                                    + st.getLen()
                                    + " bytes, which is not a positive multiple of the "
                                    + f.recordBytes()
                                    + "-byte record ("
                                    + f.labelBytes()
                                    + " label byte"
                                    + (f.labelBytes() > 1 ? "s" : "")
                                    + " + "
                                    + CifarFormat.IMAGE_BYTES
                                    + " pixel bytes); the file is truncated or not "
                                    + f.name());
                }
                total += st.getLen() / f.recordBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot read " + p + ": " + org.kindling.data.Errors.describe(e), e);
            }
        }
        return total;
    }

    /**
     * Reads a split with Spark's fixed-length binary-record input ({@code binaryRecords}). A label
     * out of range fails the job naming the file and the value, or with {@code SKIP} is dropped and
     * counted in {@code report}.
     */
    public static JavaRDD<ImageRecord> read(
            JavaSparkContext sc,
            CifarFormat f,
            String dir,
            boolean train,
            BadInput.Policy policy,
            BadInput.Report report) {
        validate(f, dir, train, sc.hadoopConfiguration());
        List<JavaRDD<ImageRecord>> parts = new ArrayList<>();
        // binaryRecords without dropping the key: FixedLengthInputFormat keys each record with its
        // byte offset in the file, so an error can name the record and where it is.
        Configuration conf = new Configuration(sc.hadoopConfiguration());
        FixedLengthInputFormat.setRecordLength(conf, f.recordBytes());
        for (String name : f.files(train)) {
            String path = new org.apache.hadoop.fs.Path(dir, name).toString();
            parts.add(
                    sc.newAPIHadoopFile(
                                    path,
                                    FixedLengthInputFormat.class,
                                    LongWritable.class,
                                    BytesWritable.class,
                                    conf)
                            .flatMap(
                                    kv -> {
                                        long offset = kv._1().get();
                                        byte[] bytes = kv._2().copyBytes();
                                        int label = bytes[f.labelIndex()] & 0xFF;
                                        if (label >= f.numClasses()
                                                && policy == BadInput.Policy.SKIP) {
                                            report.skip(
                                                    path,
                                                    where(f, offset)
                                                            + ": label byte "
                                                            + label
                                                            + ", expected 0-"
                                                            + (f.numClasses() - 1));
                                            return List.<ImageRecord>of().iterator();
                                        }
                                        return List.of(parse(f, bytes, path, offset)).iterator();
                                    }));
        }
        JavaRDD<ImageRecord> all = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            all = all.union(parts.get(i));
        }
        return all;
    }

    /** Parses one record; {@code source} names the file in errors. */
    public static ImageRecord parse(CifarFormat f, byte[] record, String source) {
        return parse(f, record, source, -1);
    }

    /**
     * Parses the record at byte {@code offset} of {@code source} (-1 if unknown); errors name the
     * file, the record index and the offset.
     */
    public static ImageRecord parse(CifarFormat f, byte[] record, String source, long offset) {
        String at = offset < 0 ? "record" : where(f, offset);
        if (record.length != f.recordBytes()) {
            throw new IllegalArgumentException(
                    f.name()
                            + " "
                            + at
                            + " in "
                            + source
                            + " has "
                            + record.length
                            + " bytes, expected "
                            + f.recordBytes());
        }
        int label = record[f.labelIndex()] & 0xFF;
        if (label >= f.numClasses()) {
            throw new IllegalArgumentException(
                    f.name()
                            + " "
                            + at
                            + " in "
                            + source
                            + " has label byte "
                            + label
                            + ", expected 0-"
                            + (f.numClasses() - 1));
        }
        return new ImageRecord(label, Arrays.copyOfRange(record, f.labelBytes(), f.recordBytes()));
    }

    /** "record 3 (byte offset 9219)": the record index (from 0) and where it starts. */
    static String where(CifarFormat f, long offset) {
        return "record " + offset / f.recordBytes() + " (byte offset " + offset + ")";
    }
}
