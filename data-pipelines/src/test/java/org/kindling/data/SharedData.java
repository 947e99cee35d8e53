package org.kindling.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The real datasets in {@code ../shared/datasets} (system property {@code kindling.shared}). */
public final class SharedData {
    private SharedData() {}

    /** The real CIFAR-10 folder; the test is skipped, with a message, where it is absent. */
    public static Path cifar10() {
        Path p =
                Paths.get(
                        System.getProperty("kindling.shared", "../../shared"),
                        "datasets",
                        "cifar10",
                        "cifar-10-batches-bin");
        assumeTrue(Files.isDirectory(p), "real CIFAR-10 not found at " + p.toAbsolutePath());
        return p;
    }
}
