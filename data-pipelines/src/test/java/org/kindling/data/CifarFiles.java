package org.kindling.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.kindling.data.cifar.Cifar10;

/**
 * Writes small CIFAR-10-format files for tests: labels cycle 0..9, pixels from a seeded generator.
 */
public final class CifarFiles {
    private CifarFiles() {}

    /** Record bytes: label i % 10, pixels from {@code new Random(seed)}. */
    public static byte[] records(int count, long seed) {
        byte[] b = new byte[count * Cifar10.RECORD_BYTES];
        Random r = new Random(seed);
        for (int i = 0; i < count; i++) {
            int off = i * Cifar10.RECORD_BYTES;
            b[off] = (byte) (i % 10);
            for (int j = 1; j < Cifar10.RECORD_BYTES; j++) {
                b[off + j] = (byte) r.nextInt(256);
            }
        }
        return b;
    }

    /** A {@code cifar-10-batches-bin} folder under {@code home/cifar10} with tiny files. */
    public static Path writeDataset(Path home, int perTrainFile, int testCount) throws IOException {
        Path dir = home.resolve("cifar10").resolve(Cifar10.FOLDER);
        Files.createDirectories(dir);
        int seed = 1;
        for (String f : Cifar10.Split.TRAIN.files()) {
            Files.write(dir.resolve(f), records(perTrainFile, seed++));
        }
        Files.write(dir.resolve("test_batch.bin"), records(testCount, 99));
        return dir;
    }
}
