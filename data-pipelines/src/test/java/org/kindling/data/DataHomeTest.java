package org.kindling.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.cifar.Cifar10;

/** The data home is --data, then KINDLING_DATA, then the cache; a missing one is named. */
class DataHomeTest {
    @TempDir Path tmp;

    static UnaryOperator<String> props(Map<String, String> m) {
        return m::get;
    }

    @Test
    void dataOptionThenEnvironmentThenCache() throws IOException {
        Path option = Files.createDirectories(tmp.resolve("option"));
        Path fromEnv = Files.createDirectories(tmp.resolve("env"));
        Map<String, String> env = new HashMap<>(Map.of(DataHome.ENV, fromEnv.toString()));
        UnaryOperator<String> props = props(Map.of("user.home", tmp.resolve("home").toString()));

        assertEquals(option.toString(), DataHome.resolve(option.toString(), env, props));
        assertEquals(fromEnv.toString(), DataHome.resolve(null, env, props));
        assertEquals(fromEnv.toString(), DataHome.resolve(" ", env, props));
        env.remove(DataHome.ENV);
        assertEquals(
                tmp.resolve("home").resolve(".cache/kindling/datasets").toString(),
                DataHome.resolve(null, env, props));
        env.put("XDG_CACHE_HOME", tmp.resolve("xdg").toString());
        assertEquals(
                tmp.resolve("xdg").resolve("kindling/datasets").toString(),
                DataHome.resolve(null, env, props));
        // A Hadoop URI is taken as given (its file system is asked later).
        assertEquals("hdfs://nn:8020/data", DataHome.resolve("hdfs://nn:8020/data", env, props));
    }

    @Test
    void aDataHomeThatDoesNotExistIsNamed() {
        String missing = tmp.resolve("no-such-folder").toString();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> DataHome.resolve(missing, Map.of(), props(Map.of())));
        assertTrue(e.getMessage().startsWith("--data " + missing + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(missing + " does not exist"), e.getMessage());
        IllegalArgumentException env =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                DataHome.resolve(
                                        null, Map.of(DataHome.ENV, missing), props(Map.of())));
        assertTrue(env.getMessage().startsWith("KINDLING_DATA=" + missing), env.getMessage());
    }

    @Test
    void nothingIsDownloadedIntoAFolderThatDoesNotExist() {
        Path missing = tmp.resolve("typo");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Cifar10.locate(missing.toString(), new Configuration(), true));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "CIFAR-10 not found and not downloaded: the data home "
                                        + missing
                                        + " does not exist"),
                e.getMessage());
        assertFalse(e.getMessage().contains("null"), e.getMessage());
        assertFalse(Files.exists(missing), "no folder was created");
    }

    @Test
    void anExceptionWithoutAMessageIsDescribedByItsClass() {
        assertEquals("ConnectException", Errors.describe(new ConnectException()));
        assertEquals(
                "IOException (refused)",
                Errors.describe(new IOException(null, new ConnectException("refused"))));
        assertEquals("NoSuchFileException: /x", Errors.describe(new NoSuchFileException("/x")));
    }
}
