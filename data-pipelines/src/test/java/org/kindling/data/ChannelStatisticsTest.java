package org.kindling.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.kindling.data.batch.Normalization;
import org.kindling.data.cifar.Cifar10;

class ChannelStatisticsTest {
    @Test
    void realCifar10TrainingSetHasTheWellKnownChannelStatistics() {
        Path real = SharedData.cifar10();
        Normalization n =
                ChannelStatistics.of(
                        Cifar10.read(LocalSpark.context(), real.toString(), Cifar10.Split.TRAIN),
                        3);
        float[] mean = {0.4914f, 0.4822f, 0.4465f};
        float[] std = {0.2470f, 0.2435f, 0.2616f};
        for (int c = 0; c < 3; c++) {
            assertEquals(mean[c], n.mean()[c], 5e-5, "mean " + c);
            assertEquals(std[c], n.std()[c], 5e-5, "std " + c);
        }
    }

    @Test
    void statisticsOfAKnownTinyDataset() {
        byte[] a = {0, (byte) 255, 0, 0};
        byte[] b = {(byte) 255, 0, (byte) 255, (byte) 255};
        Normalization n =
                ChannelStatistics.of(
                        LocalSpark.context()
                                .parallelize(
                                        java.util.List.of(
                                                new ImageRecord(0, a), new ImageRecord(1, b))),
                        2);
        assertEquals(0.5f, n.mean()[0]);
        assertEquals(0.5f, n.std()[0]);
        assertEquals(0.5f, n.mean()[1]);
    }

    @Test
    void aConstantChannelCannotBeNormalised() {
        byte[] a = {7, 7, 0, 9};
        IllegalArgumentException e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ChannelStatistics.of(
                                        LocalSpark.context()
                                                .parallelize(
                                                        java.util.List.of(new ImageRecord(0, a))),
                                        2));
        assertEquals(
                "channel 0 has standard deviation 0 (every pixel is 7); it cannot be normalised",
                e.getMessage());
    }
}
