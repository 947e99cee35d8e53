package org.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;
import org.kindling.spark.cli.KindlingCli;

class CliTest {
    static String stderrOf(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString();
    }

    @Test
    void helpListsEveryTrainingOption() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        int code;
        try {
            code = KindlingCli.run("train", "--help");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code);
        for (String opt :
                new String[] {
                    "--data",
                    "--epochs",
                    "--batch-size",
                    "--averaging-frequency",
                    "--workers",
                    "--lr",
                    "--momentum",
                    "--seed",
                    "--master",
                    "--output",
                    "--save"
                }) {
            assertTrue(buf.toString().contains(opt), opt + " missing from help:\n" + buf);
        }
    }

    @Test
    void aBadSaveModeIsRejectedWithTheValue() {
        int[] code = new int[1];
        String err = stderrOf(() -> code[0] = KindlingCli.run("train", "--save", "everything"));
        assertEquals(2, code[0]);
        assertTrue(err.contains("--save must be 'whole' or 'params' but was: 'everything'"), err);
    }

    @Test
    void aNegativeBatchSizeIsRejectedBeforeWorkStarts() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new TrainingConfig(
                                        "cifarnet",
                                        10,
                                        1,
                                        -3,
                                        1,
                                        1,
                                        "sgd",
                                        0.01,
                                        0,
                                        1,
                                        1,
                                        java.util.List.of()));
        assertEquals("batch-size must be >= 1 but was: -3", e.getMessage());
    }
}
