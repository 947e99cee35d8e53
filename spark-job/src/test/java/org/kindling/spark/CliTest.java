package org.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.kindling.data.LocalSpark;
import org.kindling.spark.cli.KindlingCli;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

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
    void helpAndReadmeListEveryTrainingOption() throws Exception {
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
        String help = buf.toString();
        String readme = readmeOptionList();
        CommandSpec train =
                new CommandLine(new KindlingCli()).getSubcommands().get("train").getCommandSpec();
        assertTrue(train.options().size() > 20, "options found: " + train.options().size());
        for (OptionSpec o : train.options()) {
            // A negatable option is shown as --[no-]name; the others by each of their names.
            List<String> names =
                    o.negatable()
                            ? List.of(o.longestName().replaceFirst("^--", "--[no-]"))
                            : List.of(o.names());
            for (String name : names) {
                assertTrue(mentions(help, name), name + " missing from train --help:\n" + help);
                assertTrue(
                        mentions(readme, name),
                        name + " missing from README.md's option list:\n" + readme);
            }
        }
    }

    /** {@code name} as a whole option name (not as the prefix of a longer one). */
    static boolean mentions(String text, String name) {
        return Pattern.compile("(?<![\\w-])" + Pattern.quote(name) + "(?![\\w-])")
                .matcher(text)
                .find();
    }

    /** The paragraph of README.md's command-line section that lists the options. */
    static String readmeOptionList() throws Exception {
        Path readme = Paths.get("README.md").toAbsolutePath();
        if (!Files.exists(readme)) readme = Paths.get("..", "README.md").toAbsolutePath();
        String text = Files.readString(readme);
        int at = text.indexOf("`bin/kindling train --help` lists every option:");
        assertTrue(at >= 0, readme + " has no option list (\"`bin/kindling train --help` lists\")");
        int end = text.indexOf("\n\n", at);
        return text.substring(at, end < 0 ? text.length() : end);
    }

    @Test
    void aBadSaveModeIsRejectedWithTheValue() {
        int[] code = new int[1];
        String err = stderrOf(() -> code[0] = KindlingCli.run("train", "--save", "everything"));
        assertEquals(2, code[0]);
        assertTrue(
                err.contains("--save must be one of [whole, params, dl4j] but was: 'everything'"),
                err);
    }

    @Test
    void trainSaveParamsThenFineTuneFromThemWithAFrozenLayer(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        org.kindling.data.SharedData.cifar10();
        java.nio.file.Path data = org.kindling.data.SharedData.datasets();
        LocalSpark.context(); // the command reuses the running context, as in a notebook
        String first = tmp.resolve("first.safetensors").toString();
        assertEquals(
                0,
                KindlingCli.run(
                        "train",
                        "--data",
                        data.toString(),
                        "--limit",
                        "96",
                        "--batch-size",
                        "32",
                        "--workers",
                        "2",
                        "--save",
                        "params",
                        "--output",
                        first));
        String second = tmp.resolve("second.kindling").toString();
        assertEquals(
                0,
                KindlingCli.run(
                        "train",
                        "--data",
                        data.toString(),
                        "--limit",
                        "96",
                        "--batch-size",
                        "32",
                        "--optimizer",
                        "adam",
                        "--lr",
                        "0.001",
                        "--pretrained",
                        first,
                        "--freeze",
                        "0.",
                        "--output",
                        second));
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        org.kindling.nn.Module pre =
                org.kindling.spark.io.ModelStore.loadParameters(first, conf, "cifarnet", 10);
        org.kindling.nn.io.ModelArchive tuned =
                org.kindling.spark.io.ModelStore.loadWhole(second, conf);
        assertEquals(
                pre.namedParameters().get("0.weight").data(),
                tuned.module().namedParameters().get("0.weight").data());
        assertTrue(
                !pre.namedParameters()
                        .get("2.weight")
                        .data()
                        .equals(tuned.module().namedParameters().get("2.weight").data()));
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> training =
                (java.util.Map<String, Object>) tuned.info().get("training");
        assertEquals("adam", training.get("optimizer"));
        assertEquals("1.0.0-M2.1", tuned.info().get("nd4j_version"));
        assertEquals(java.util.List.of("0."), training.get("freeze"));
        assertTrue(
                LocalSpark.context().sc().isStopped() == false,
                "a context the command did not create is left running");
    }

    @Test
    void trainsOnAnImageFolderResizingItsImages(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.util.Random rnd = new java.util.Random(1);
        int[] colors = {0xE02020, 0x20E020, 0x2020E0};
        String[] names = {"red", "green", "blue"};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 40; i++) {
                java.awt.image.BufferedImage img =
                        new java.awt.image.BufferedImage(
                                16, 16, java.awt.image.BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        int noise = rnd.nextInt(60);
                        int r = Math.min(255, ((colors[c] >> 16) & 0xFF) / 2 + noise);
                        int g = Math.min(255, ((colors[c] >> 8) & 0xFF) / 2 + noise);
                        int b = Math.min(255, (colors[c] & 0xFF) / 2 + noise);
                        img.setRGB(x, y, (r << 16) | (g << 8) | b);
                    }
                }
                java.nio.file.Path f = tmp.resolve("images/" + names[c] + "/" + i + ".png");
                java.nio.file.Files.createDirectories(f.getParent());
                javax.imageio.ImageIO.write(img, "png", f.toFile());
            }
        }
        java.nio.file.Files.write(tmp.resolve("images/red/broken.jpg"), new byte[] {9, 9, 9});
        LocalSpark.context();
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        int code;
        try {
            code =
                    KindlingCli.run(
                            "train",
                            "--dataset",
                            "folder",
                            "--data",
                            tmp.resolve("images").toString(),
                            "--image-size",
                            "32",
                            "--bad-input",
                            "skip",
                            "--epochs",
                            "3",
                            "--batch-size",
                            "16",
                            "--optimizer",
                            "adam",
                            "--lr",
                            "0.001",
                            "--parquet-cache",
                            tmp.resolve("cache").toString(),
                            "--output",
                            tmp.resolve("m.kindling").toString());
        } finally {
            System.setOut(old);
        }
        String log = buf.toString();
        assertEquals(0, code, log);
        assertTrue(log.contains("3 classes [blue, green, red]"), log);
        assertTrue(log.contains("broken.jpg=1"), log);
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("Test accuracy ([0-9.]+)%").matcher(log);
        assertTrue(m.find(), log);
        assertTrue(Double.parseDouble(m.group(1)) > 60, log);
        assertTrue(
                java.nio.file.Files.isDirectory(tmp.resolve("cache/train")),
                "decoded images were cached as Parquet");
    }

    /** Writes {@code n} small PNGs per class under {@code root/<class>/}. */
    static void writeImages(java.nio.file.Path root, String[] classes, int n) throws Exception {
        java.util.Random rnd = new java.util.Random(2);
        for (String c : classes) {
            for (int i = 0; i < n; i++) {
                java.awt.image.BufferedImage img =
                        new java.awt.image.BufferedImage(
                                8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) img.setRGB(x, y, rnd.nextInt(0xFFFFFF));
                }
                java.nio.file.Path f = root.resolve(c + "/" + i + ".png");
                java.nio.file.Files.createDirectories(f.getParent());
                javax.imageio.ImageIO.write(img, "png", f.toFile());
            }
        }
    }

    @Test
    void aBadImageFoundInsideASparkJobIsOneLineWithExitCode2(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path root = tmp.resolve("images");
        writeImages(root, new String[] {"cat", "dog"}, 4);
        java.nio.file.Files.write(root.resolve("dog/broken.png"), new byte[] {1, 2, 3, 4, 5});
        org.apache.spark.api.java.JavaSparkContext sc = LocalSpark.context();
        // What the folder reader's task throws, read directly (not through the command line).
        Throwable thrown =
                assertThrows(
                        Exception.class,
                        () ->
                                org.kindling.data.folder.ImageFolder.read(
                                                org.kindling.data.folder.ImageFolder.session(sc),
                                                root.toString(),
                                                8,
                                                8,
                                                3,
                                                org.kindling.data.BadInput.Policy.FAIL,
                                                null)
                                        .count());
        while (!(thrown instanceof IllegalArgumentException) && thrown.getCause() != null) {
            thrown = thrown.getCause();
        }
        assertTrue(thrown instanceof IllegalArgumentException, thrown.toString());
        assertTrue(thrown.getMessage().contains("broken.png"), thrown.getMessage());

        int[] code = new int[1];
        PrintStream oldOut = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true));
        String err;
        try {
            err =
                    stderrOf(
                            () ->
                                    code[0] =
                                            KindlingCli.run(
                                                    "train",
                                                    "--dataset",
                                                    "folder",
                                                    "--data",
                                                    root.toString(),
                                                    "--image-size",
                                                    "8",
                                                    "--epochs",
                                                    "1"));
        } finally {
            System.setOut(oldOut);
        }
        assertEquals(2, code[0], err);
        String[] lines = err.strip().split("\\R");
        assertEquals("error: " + thrown.getMessage(), lines[0], err);
        assertEquals(2, lines.length, "one error line and one hint:\n" + err);
        assertTrue(lines[1].contains("rerun with --verbose"), lines[1]);
    }

    @Test
    void aDataFolderThatDoesNotExistIsNamedWithoutDownloading(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        String missing = tmp.resolve("nonexistent").toString();
        int[] code = new int[1];
        String err = stderrOf(() -> code[0] = KindlingCli.run("train", "--data", missing));
        assertEquals(2, code[0], err);
        String first = err.strip().split("\\R")[0];
        assertTrue(first.startsWith("error: --data " + missing + ": "), err);
        assertTrue(first.contains(missing + " does not exist"), err);
        assertTrue(!err.contains("null"), err);
        assertTrue(!java.nio.file.Files.exists(tmp.resolve("nonexistent")), "nothing was created");
    }

    @Test
    void verbosePrintsTheStackTraceAfterTheErrorLine() {
        int[] code = new int[1];
        String err =
                stderrOf(
                        () ->
                                code[0] =
                                        KindlingCli.run(
                                                "train",
                                                "--dataset",
                                                "folder",
                                                "--data",
                                                "/nonexistent/images",
                                                "--verbose"));
        assertEquals(2, code[0], err);
        String[] lines = err.strip().split("\\R");
        assertTrue(lines[0].startsWith("error: ") && lines[0].contains("/nonexistent/images"), err);
        assertTrue(err.contains("\tat "), "a stack trace follows:\n" + err);
    }

    @Test
    void aNegativeBatchSizeIsRejectedBeforeWorkStarts() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TrainingConfig.builder().batchSize(-3).build());
        assertEquals("--batch-size must be >= 1 but was: -3", e.getMessage());
    }
}
