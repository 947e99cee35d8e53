package org.kindling.data.cifar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.CifarFiles;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;

/**
 * Download, MD5 check, unpacking and reading, end to end, against a real local HTTP server that
 * serves a tiny but valid {@code cifar-10-binary.tar.gz}.
 */
public class CifarDownloadTest {
    @TempDir Path tmp;

    /** The published layout: cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin. */
    public static Map<String, byte[]> files() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        int seed = 1;
        for (String f : CifarFormat.CIFAR10.trainFiles()) {
            m.put(f, CifarFiles.records(3, seed++));
        }
        m.put("test_batch.bin", CifarFiles.records(2, 99));
        return m;
    }

    public static byte[] tarGz(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar =
                new TarArchiveOutputStream(new GzipCompressorOutputStream(buf))) {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                TarArchiveEntry t = new TarArchiveEntry(Cifar10.FOLDER + "/" + e.getKey());
                t.setSize(e.getValue().length);
                tar.putArchiveEntry(t);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return buf.toByteArray();
    }

    @Test
    void aMissingDatasetIsDownloadedCheckedUnpackedAndRead() throws Exception {
        Map<String, byte[]> files = files();
        byte[] archive = tarGz(files);
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(archive));
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/cifar-10-binary.tar.gz",
                ex -> {
                    requests.incrementAndGet();
                    ex.sendResponseHeaders(200, archive.length);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(archive);
                    }
                });
        server.start();
        try {
            String url =
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/cifar-10-binary.tar.gz";
            Path home = Files.createDirectories(tmp.resolve("home"));
            var conf = LocalSpark.context().hadoopConfiguration();

            // A wrong checksum keeps nothing: no archive, no unpacked folder.
            UncheckedIOException bad =
                    assertThrows(
                            UncheckedIOException.class,
                            () ->
                                    CifarBinary.locate(
                                            CifarFormat.CIFAR10,
                                            home.toString(),
                                            conf,
                                            true,
                                            url,
                                            "0123456789abcdef0123456789abcdef"));
            assertTrue(bad.getMessage().contains("checksum mismatch for " + url), bad.getMessage());
            assertFalse(Files.exists(home.resolve("cifar10").resolve(Cifar10.FOLDER)));
            assertFalse(Files.exists(home.resolve("cifar10/cifar-10-binary.tar.gz")));

            String dir =
                    CifarBinary.locate(CifarFormat.CIFAR10, home.toString(), conf, true, url, md5);
            assertEquals(
                    home.resolve("cifar10").resolve(Cifar10.FOLDER).toAbsolutePath().toString(),
                    dir);
            assertArrayEquals(
                    archive, Files.readAllBytes(home.resolve("cifar10/cifar-10-binary.tar.gz")));
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                assertArrayEquals(
                        e.getValue(), Files.readAllBytes(Path.of(dir, e.getKey())), e.getKey());
            }
            List<ImageRecord> test =
                    Cifar10.read(LocalSpark.context(), dir, Cifar10.Split.TEST).collect();
            byte[] raw = files.get("test_batch.bin");
            assertEquals(raw.length / Cifar10.RECORD_BYTES, test.size());
            for (int i = 0; i < test.size(); i++) {
                int off = i * Cifar10.RECORD_BYTES;
                assertEquals(raw[off], test.get(i).label(), "label of record " + i);
                byte[] px = java.util.Arrays.copyOfRange(raw, off + 1, off + Cifar10.RECORD_BYTES);
                assertArrayEquals(px, test.get(i).pixels(), "pixels of record " + i);
            }
            long train = Cifar10.read(LocalSpark.context(), dir, Cifar10.Split.TRAIN).count();
            long expectedTrain =
                    CifarFormat.CIFAR10.trainFiles().stream()
                            .mapToLong(f -> files.get(f).length / Cifar10.RECORD_BYTES)
                            .sum();
            assertEquals(expectedTrain, train);

            // Found locally now: no second download.
            int before = requests.get();
            assertEquals(
                    dir,
                    CifarBinary.locate(CifarFormat.CIFAR10, home.toString(), conf, true, url, md5)
                            .replaceFirst("^file:", ""));
            assertEquals(before, requests.get());
        } finally {
            server.stop(0);
        }
    }
}
