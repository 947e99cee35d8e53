package org.kindling.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Downloads a published dataset archive, verifies its checksum and unpacks it. */
public final class Download {
    private static final Logger log = LoggerFactory.getLogger(Download.class);

    private Download() {}

    /**
     * Downloads {@code url} into {@code target} (via a temporary file), failing if its MD5 is not
     * {@code md5}.
     */
    public static void fetch(String url, String md5, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp =
                Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        log.info("Downloading {} to {}", url, target);
        HttpClient client =
                HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .connectTimeout(Duration.ofSeconds(30))
                        .build();
        try {
            HttpResponse<InputStream> response =
                    client.send(
                            HttpRequest.newBuilder(URI.create(url)).GET().build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IOException(
                        "download of " + url + " failed with HTTP " + response.statusCode());
            }
            String actual;
            try (InputStream in = response.body();
                    OutputStream out = Files.newOutputStream(tmp)) {
                actual = copyWithMd5(in, out);
            }
            if (!actual.equalsIgnoreCase(md5)) {
                throw new IOException(
                        "checksum mismatch for " + url + ": md5 " + actual + ", expected " + md5);
            }
            Files.move(
                    tmp,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("download of " + url + " interrupted", e);
        } catch (IOException e) {
            throw new IOException(
                    Errors.describe(e)
                            + ". On machines without internet set "
                            + DataHome.ENV
                            + " (or --data) to a folder that already holds the dataset.",
                    e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The MD5 of a file, as lower-case hex. */
    public static String md5(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return copyWithMd5(in, OutputStream.nullOutputStream());
        }
    }

    /** Unpacks a {@code .tar.gz} into {@code dir}, refusing entries that would escape it. */
    public static void untarGz(Path archive, Path dir) throws IOException {
        try (InputStream in = Files.newInputStream(archive)) {
            untarGz(in, archive.toString(), dir);
        }
    }

    /** Unpacks a {@code .tar.gz} stream ({@code source} names it in errors) into {@code dir}. */
    public static void untarGz(InputStream in, String source, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        String archive = source;
        try (TarArchiveInputStream tar =
                new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextTarEntry()) != null) {
                Path out = root.resolve(e.getName()).normalize();
                if (!out.startsWith(root)) {
                    throw new IOException(
                            "archive "
                                    + archive
                                    + " has an entry outside the target: "
                                    + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * Unpacks a {@code .tar.gz} stream into {@code dir} on any Hadoop file system (for example a
     * folder every executor of a cluster can read): into a hidden sibling folder first, renamed to
     * {@code dir} when complete, so a reader never sees a half-unpacked dataset.
     */
    public static void untarGz(
            InputStream in,
            String source,
            org.apache.hadoop.fs.FileSystem fs,
            org.apache.hadoop.fs.Path dir)
            throws IOException {
        org.apache.hadoop.fs.Path tmp =
                new org.apache.hadoop.fs.Path(
                        dir.getParent(), "." + dir.getName() + "." + java.util.UUID.randomUUID());
        boolean done = false;
        try (TarArchiveInputStream tar =
                new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextTarEntry()) != null) {
                Path rel = Path.of(e.getName()).normalize();
                if (rel.isAbsolute() || rel.startsWith("..")) {
                    throw new IOException(
                            "archive "
                                    + source
                                    + " has an entry outside the target: "
                                    + e.getName());
                }
                org.apache.hadoop.fs.Path out =
                        new org.apache.hadoop.fs.Path(tmp, rel.toString().replace('\\', '/'));
                if (e.isDirectory()) {
                    fs.mkdirs(out);
                } else {
                    try (OutputStream o = fs.create(out, true)) {
                        tar.transferTo(o);
                    }
                }
            }
            fs.mkdirs(dir.getParent());
            if (!fs.rename(tmp, dir)) {
                throw new IOException("cannot move the unpacked " + source + " to " + dir);
            }
            done = true;
        } finally {
            if (!done) {
                fs.delete(tmp, true);
            }
        }
    }

    private static String copyWithMd5(InputStream in, OutputStream out) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            try (DigestInputStream din = new DigestInputStream(in, md)) {
                din.transferTo(out);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
