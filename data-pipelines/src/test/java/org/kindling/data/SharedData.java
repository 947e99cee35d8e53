package org.kindling.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The real datasets in {@code ../shared/datasets} (system property {@code kindling.shared}). Where
 * one is absent the test is skipped with a message, or fails when {@code CI=true} ({@link
 * Prerequisites}).
 */
public final class SharedData {
    private SharedData() {}

    /** The shared datasets folder (the {@code --data} of the command line). */
    public static Path datasets() {
        return Paths.get(System.getProperty("kindling.shared", "../../shared"), "datasets");
    }

    /** The real CIFAR-10 folder. */
    public static Path cifar10() {
        Path p = datasets().resolve("cifar10").resolve("cifar-10-batches-bin");
        Prerequisites.require(Files.isDirectory(p), "real CIFAR-10 at " + p.toAbsolutePath());
        return p;
    }

    /** The real MNIST folder. */
    public static Path mnist() {
        Path p = datasets().resolve("mnist");
        Prerequisites.require(Files.isDirectory(p), "real MNIST at " + p.toAbsolutePath());
        return p;
    }
}
