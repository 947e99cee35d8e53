package org.kindling.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.cifar.Cifar10;
import org.kindling.data.cifar.CifarBinary;
import org.kindling.data.cifar.CifarFormat;

/**
 * Downloads are checksummed (against a real local HTTP server) and published archives are read as
 * they are.
 */
class DownloadAndArchiveTest {
    @TempDir Path tmp;

    static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    @Test
    void aDownloadIsKeptOnlyWhenItsChecksumMatches() throws Exception {
        byte[] body = "the dataset bytes".getBytes();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/data.bin",
                ex -> {
                    ex.sendResponseHeaders(200, body.length);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(body);
                    }
                });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/data.bin";
            Path ok = tmp.resolve("ok.bin");
            Download.fetch(url, md5(body), ok);
            assertArrayEquals(body, Files.readAllBytes(ok));

            Path bad = tmp.resolve("bad.bin");
            IOException e =
                    assertThrows(
                            IOException.class,
                            () -> Download.fetch(url, "00000000000000000000000000000000", bad));
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "checksum mismatch for "
                                            + url
                                            + ": md5 "
                                            + md5(body)
                                            + ", expected 00000000000000000000000000000000"),
                    e.getMessage());
            assertTrue(
                    e.getMessage()
                            .endsWith(
                                    "set KINDLING_DATA (or --data) to a folder that already holds the dataset."),
                    e.getMessage());
            assertFalse(Files.exists(bad), "nothing is left behind");
            try (var files = Files.list(tmp)) {
                assertEquals(1, files.count(), "no partial download is left behind");
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void cifar10IsReadStraightFromThePublishedTarGz() throws Exception {
        Path archive = tmp.resolve("cifar-10-binary.tar.gz");
        try (TarArchiveOutputStream tar =
                new TarArchiveOutputStream(
                        new GzipCompressorOutputStream(Files.newOutputStream(archive)))) {
            int seed = 1;
            for (String f : CifarFormat.CIFAR10.trainFiles())
                add(tar, "cifar-10-batches-bin/" + f, CifarFiles.records(4, seed++));
            add(tar, "cifar-10-batches-bin/test_batch.bin", CifarFiles.records(3, 99));
        }
        String prev = System.getProperty("kindling.cache");
        System.setProperty("kindling.cache", tmp.resolve("cache").toString());
        try {
            String dir =
                    CifarBinary.locate(
                            CifarFormat.CIFAR10,
                            archive.toString(),
                            LocalSpark.context().hadoopConfiguration(),
                            false);
            assertTrue(dir.endsWith("cache/cifar10/cifar-10-batches-bin"), dir);
            assertEquals(20, Cifar10.read(LocalSpark.context(), dir, Cifar10.Split.TRAIN).count());
            assertEquals(3, Cifar10.read(LocalSpark.context(), dir, Cifar10.Split.TEST).count());
        } finally {
            if (prev == null) System.clearProperty("kindling.cache");
            else System.setProperty("kindling.cache", prev);
        }
    }

    static void add(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }
}
