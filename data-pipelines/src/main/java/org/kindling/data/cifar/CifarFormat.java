package org.kindling.data.cifar;

import java.io.Serializable;
import java.util.List;

/**
 * The official binary layouts of CIFAR-10 and CIFAR-100: fixed-length records of {@code labelBytes}
 * label bytes (CIFAR-100: coarse, then fine) and 3072 pixel bytes (1024 red, 1024 green, 1024 blue,
 * each 32x32 row by row).
 *
 * @param name "CIFAR-10" or "CIFAR-100"
 * @param subdir folder under the data home, e.g. {@code cifar10}
 * @param folder folder inside the archive, e.g. {@code cifar-10-batches-bin}
 * @param labelBytes label bytes per record
 * @param labelIndex which label byte is the class (CIFAR-100: 0 coarse, 1 fine)
 * @param numClasses classes of that label
 * @param trainFiles training files
 * @param testFiles test files
 * @param url the official archive
 * @param md5 its MD5
 */
public record CifarFormat(
        String name,
        String subdir,
        String folder,
        int labelBytes,
        int labelIndex,
        int numClasses,
        List<String> trainFiles,
        List<String> testFiles,
        String url,
        String md5)
        implements Serializable {
    /** Pixel bytes of one image. */
    public static final int IMAGE_BYTES = 3 * 32 * 32;

    /** CIFAR-10: 1 label byte, 10 classes. */
    public static final CifarFormat CIFAR10 =
            new CifarFormat(
                    "CIFAR-10",
                    "cifar10",
                    "cifar-10-batches-bin",
                    1,
                    0,
                    10,
                    List.of(
                            "data_batch_1.bin",
                            "data_batch_2.bin",
                            "data_batch_3.bin",
                            "data_batch_4.bin",
                            "data_batch_5.bin"),
                    List.of("test_batch.bin"),
                    "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                    "c32a1d4ab5d03f1284b67883e8d87530");

    /** CIFAR-100 with its 100 fine labels. */
    public static final CifarFormat CIFAR100_FINE =
            new CifarFormat(
                    "CIFAR-100",
                    "cifar100",
                    "cifar-100-binary",
                    2,
                    1,
                    100,
                    List.of("train.bin"),
                    List.of("test.bin"),
                    "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
                    "03b5dce01913d631647c71ecec9e9cb8");

    /** CIFAR-100 with its 20 coarse labels (superclasses). */
    public static final CifarFormat CIFAR100_COARSE =
            new CifarFormat(
                    "CIFAR-100",
                    "cifar100",
                    "cifar-100-binary",
                    2,
                    0,
                    20,
                    List.of("train.bin"),
                    List.of("test.bin"),
                    CIFAR100_FINE.url(),
                    CIFAR100_FINE.md5());

    /** Bytes of one record. */
    public int recordBytes() {
        return labelBytes + IMAGE_BYTES;
    }

    /** The files of the training (true) or test split. */
    public List<String> files(boolean train) {
        return train ? trainFiles : testFiles;
    }
}
