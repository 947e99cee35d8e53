package org.kindling.spark.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.nn.Init;
import org.kindling.nn.Module;
import org.kindling.nn.io.StateDict;
import org.kindling.nn.models.Zoo;

/** Saving is all or nothing: a write that fails half-way leaves the previous file as it was. */
class ModelStoreTest {
    @TempDir Path dir;

    static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void aWriteThatFailsMidwayLeavesNoTemporaryFileAndTheOldModelIntact() throws Exception {
        Configuration conf = new Configuration();
        String uri = dir.resolve("model.safetensors").toUri().toString();
        Init.manualSeed(1);
        Module saved = Zoo.create("lenet5", 10);
        ModelStore.saveParameters(uri, conf, saved, Map.of());
        byte[] before = Files.readAllBytes(dir.resolve("model.safetensors"));
        Set<String> filesBefore = listing(dir);

        for (boolean unchecked : new boolean[] {false, true}) {
            Exception e =
                    assertThrows(
                            Exception.class,
                            () ->
                                    ModelStore.writeAtomically(
                                            uri,
                                            conf,
                                            out -> {
                                                out.write(new byte[100_000]); // past any buffer
                                                out.flush();
                                                if (unchecked) {
                                                    throw new IllegalStateException("boom");
                                                }
                                                throw new IOException("disk full");
                                            }));
            assertEquals(unchecked ? "boom" : "disk full", e.getMessage());
            assertEquals(filesBefore, listing(dir), "no partial or temporary file is left");
            assertArrayEquals(before, Files.readAllBytes(dir.resolve("model.safetensors")));
        }
        Module loaded = ModelStore.loadParameters(uri, conf, "lenet5", 10);
        assertEquals(StateDict.of(saved), StateDict.of(loaded));
        assertFalse(listing(dir).stream().anyMatch(n -> n.endsWith(".tmp")));
    }
}
