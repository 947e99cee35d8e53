package org.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.Datasets;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;
import org.kindling.data.SharedData;
import org.kindling.data.batch.Batch;
import org.kindling.data.cifar.Cifar10;
import org.kindling.nn.io.ModelArchive;
import org.kindling.nn.training.Learner;
import org.kindling.spark.cli.KindlingCli;
import org.kindling.spark.eval.SavedModel;
import org.kindling.spark.io.ModelStore;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a training run leaves behind and the commands that use it: one small CIFAR-10 run (2 epochs
 * on 128 records, 2 workers) writes the model, its metrics and its report; {@code evaluate} and
 * {@code predict} then read the model back in each saved format.
 */
class AfterTrainingTest {
    @TempDir static Path tmp;
    static String model;
    static String trainOutput;
    static ModelArchive archive;

    /** Output and exit code of one command. */
    record Run(int code, String out, String err) {}

    static Run cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        int code;
        try {
            code = KindlingCli.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void trainOnce() throws Exception {
        SharedData.cifar10();
        LocalSpark.context(); // the commands reuse the running context
        model = tmp.resolve("runs/net.kindling").toString();
        Run r =
                cli(
                        "train",
                        "--data",
                        SharedData.datasets().toString(),
                        "--limit",
                        "128",
                        "--batch-size",
                        "32",
                        "--workers",
                        "2",
                        "--epochs",
                        "2",
                        "-k",
                        "1",
                        "--output",
                        model);
        assertEquals(0, r.code(), r.out() + r.err());
        trainOutput = r.out();
        archive = ModelStore.loadWhole(model, new Configuration());
    }

    @Test
    void theModelRecordsItsNormalisationAndClassNames() {
        Map<?, ?> n = (Map<?, ?>) archive.info().get(SavedModel.NORMALIZATION);
        List<Float> mean =
                ((List<?>) n.get("mean")).stream().map(v -> ((Number) v).floatValue()).toList();
        List<Float> std =
                ((List<?>) n.get("std")).stream().map(v -> ((Number) v).floatValue()).toList();
        assertEquals(List.of(0.4914f, 0.4822f, 0.4465f), mean);
        assertEquals(List.of(0.2470f, 0.2435f, 0.2616f), std);
        assertEquals(Cifar10.CLASSES, archive.info().get(SavedModel.CLASSES));
    }

    @Test
    void metricsAreJsonLinesPerRoundAndPerEpochNextToTheModel() throws Exception {
        List<String> lines = Files.readAllLines(Path.of(model + ".metrics.jsonl"));
        List<JsonObject> rounds = new ArrayList<>();
        List<JsonObject> epochs = new ArrayList<>();
        for (String l : lines) {
            JsonObject o = JsonParser.parseString(l).getAsJsonObject();
            for (String k :
                    List.of(
                            "kind",
                            "epoch",
                            "round",
                            "loss",
                            "images_per_second",
                            "test_accuracy",
                            "seconds",
                            "time")) {
                assertTrue(o.has(k), k + " missing in " + l);
            }
            (o.get("kind").getAsString().equals("epoch") ? epochs : rounds).add(o);
        }
        // 128 records over 2 workers in batches of 32, k = 1: 2 rounds per epoch
        assertEquals(4, rounds.size(), lines.toString());
        assertEquals(2, epochs.size(), lines.toString());
        @SuppressWarnings("unchecked")
        List<Double> loss = (List<Double>) archive.info().get("epoch_train_loss");
        @SuppressWarnings("unchecked")
        List<Double> acc = (List<Double>) archive.info().get("epoch_test_accuracy");
        for (int e = 0; e < 2; e++) {
            assertEquals(e + 1, epochs.get(e).get("epoch").getAsInt());
            assertEquals(loss.get(e), epochs.get(e).get("loss").getAsDouble(), 1e-12);
            assertEquals(acc.get(e), epochs.get(e).get("test_accuracy").getAsDouble(), 1e-12);
        }
        assertEquals(2, rounds.get(1).get("round").getAsInt());
        assertTrue(rounds.get(0).get("images_per_second").getAsDouble() > 0);
    }

    @Test
    void theReportShowsEveryEpochTheConfusionMatrixAndTheConfiguration() throws Exception {
        String html = Files.readString(Path.of(model + ".report.html"));
        assertTrue(
                html.contains("<title>Kindling training report: cifarnet on cifar10</title>"),
                html);
        assertTrue(!html.contains("<script") && !html.contains("<link"), "self-contained");
        @SuppressWarnings("unchecked")
        List<Double> loss = (List<Double>) archive.info().get("epoch_train_loss");
        @SuppressWarnings("unchecked")
        List<Double> acc = (List<Double>) archive.info().get("epoch_test_accuracy");
        for (int e = 0; e < 2; e++) {
            String row =
                    String.format(
                            java.util.Locale.ROOT,
                            "<tr><td>%d</td><td>%.4f</td><td>%.2f%%</td></tr>",
                            e + 1,
                            loss.get(e),
                            100 * acc.get(e));
            assertTrue(html.contains(row), row + " missing in the epochs table");
        }
        Matcher cell = Pattern.compile("<td class=\"cell\"[^>]*>(\\d+)</td>").matcher(html);
        long sum = 0;
        int cells = 0;
        while (cell.find()) {
            sum += Long.parseLong(cell.group(1));
            cells++;
        }
        assertEquals(100, cells);
        assertEquals(10_000, sum, "the confusion matrix covers CIFAR-10's test batch");
        for (String name : Cifar10.CLASSES) {
            assertTrue(html.contains("<td class=\"k\">" + name + "</td>"), name);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> training = (Map<String, Object>) archive.info().get("training");
        for (String key : training.keySet()) {
            assertTrue(html.contains("<tr><td class=\"k\">" + key + "</td>"), "config key " + key);
        }
        assertTrue(html.contains("kindling_version") && html.contains("nd4j_version"));
        assertTrue(
                trainOutput.contains("Report written to " + model + ".report.html"), trainOutput);
    }

    @Test
    void evaluateGivesTheTrainersAccuracyAndAConfusionMatrixAsJson() throws Exception {
        String json = tmp.resolve("eval.json").toString();
        Run r =
                cli(
                        "evaluate",
                        "--model",
                        model,
                        "--data",
                        SharedData.datasets().toString(),
                        "--output",
                        json);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(
                r.out().contains("confusion matrix (rows: actual, columns: predicted)"), r.out());
        assertTrue(r.out().contains("airplane"), r.out());
        JsonObject o = JsonParser.parseString(Files.readString(Path.of(json))).getAsJsonObject();
        assertEquals(10_000, o.get("count").getAsLong());
        @SuppressWarnings("unchecked")
        List<Double> acc = (List<Double>) archive.info().get("epoch_test_accuracy");
        assertEquals(
                acc.get(1), o.get("accuracy").getAsDouble(), 1e-12, "the trainer's own evaluation");
        long sum = 0;
        for (var row : o.getAsJsonArray("confusion_matrix")) {
            for (var v : row.getAsJsonArray()) sum += v.getAsLong();
        }
        assertEquals(10_000, sum);
        assertEquals(10, o.getAsJsonObject("per_class_accuracy").size());
        assertTrue(o.get("loss").getAsDouble() > 0);
    }

    @Test
    void evaluateReadsAStateDictWithItsArchitectureAndSaysWhichNormalisationItUses()
            throws Exception {
        String sd = tmp.resolve("net.safetensors").toString();
        ModelStore.saveParameters(
                sd, new Configuration(), archive.module(), Map.of("format", "pt"));
        Run missing = cli("evaluate", "--model", sd, "--data", SharedData.datasets().toString());
        assertEquals(2, missing.code());
        assertEquals(
                "error: --model '"
                        + sd
                        + "' is a safetensors state_dict, which holds weights only; name its architecture with --architecture (one of "
                        + String.join(", ", org.kindling.nn.models.Zoo.NAMES)
                        + ")",
                missing.err().lines().findFirst().orElse(""));
        String json = tmp.resolve("eval-sd.json").toString();
        Run r =
                cli(
                        "evaluate",
                        "--model",
                        sd,
                        "--architecture",
                        "cifarnet",
                        "--data",
                        SharedData.datasets().toString(),
                        "--output",
                        json);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(
                r.out().contains("note: the model does not record its input normalisation"),
                r.out());
        @SuppressWarnings("unchecked")
        List<Double> acc = (List<Double>) archive.info().get("epoch_test_accuracy");
        JsonObject o = JsonParser.parseString(Files.readString(Path.of(json))).getAsJsonObject();
        // same weights, same (published CIFAR-10) statistics: the same accuracy
        assertEquals(acc.get(1), o.get("accuracy").getAsDouble(), 1e-12);
    }

    @Test
    void evaluateNamesAMissingModelFile() {
        String nowhere = tmp.resolve("nowhere.kindling").toString();
        Run r = cli("evaluate", "--model", nowhere, "--data", SharedData.datasets().toString());
        assertEquals(2, r.code());
        List<String> lines = r.err().lines().toList();
        assertEquals("error: --model '" + nowhere + "' does not exist", lines.get(0));
        assertEquals(2, lines.size(), r.err());
    }

    @Test
    void predictWritesTheModelsProbabilitiesForEveryImageAsCsvAndParquet() throws Exception {
        List<ImageRecord> records =
                Datasets.load(
                                LocalSpark.context(),
                                Datasets.Request.of("cifar10", SharedData.datasets().toString(), 2))
                        .test()
                        .take(12);
        Path images = tmp.resolve("images");
        for (int i = 0; i < records.size(); i++) {
            Path f = images.resolve((i % 2 == 0 ? "a/" : "b/c/") + String.format("img%02d.png", i));
            Files.createDirectories(f.getParent());
            ImageIO.write(png(records.get(i).pixels()), "png", f.toFile());
        }
        Learner l = archive.state().learner();
        Batch b =
                Batch.of(
                        records,
                        Cifar10.IMAGE_SHAPE,
                        new org.kindling.data.batch.Normalization(
                                Cifar10.TRAIN_MEAN, Cifar10.TRAIN_STD),
                        10,
                        false);
        INDArray expected = l.probabilities(b.features());
        for (String ext : List.of("csv", "parquet")) {
            String out = tmp.resolve("predictions." + ext).toString();
            Run r = cli("predict", "--model", model, "--input", images.toString(), "--output", out);
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("Predicted 12 image(s)"), r.out());
            var spark = org.kindling.data.folder.ImageFolder.session(LocalSpark.context());
            var df =
                    ext.equals("csv")
                            ? spark.read()
                                    .option("header", "true")
                                    .option("inferSchema", "true")
                                    .csv(out)
                            : spark.read().parquet(out);
            List<String> columns = List.of(df.columns());
            assertEquals("path", columns.get(0));
            assertEquals(List.of("prediction", "class_name", "p_0"), columns.subList(1, 4));
            assertEquals("p_9", columns.get(columns.size() - 1));
            List<Row> rows = df.collectAsList();
            assertEquals(12, rows.size());
            for (Row row : rows) {
                String path = row.getString(0);
                int i = Integer.parseInt(path.substring(path.length() - 6, path.length() - 4));
                int best = 0;
                for (int c = 0; c < 10; c++) {
                    double p = ((Number) row.get(3 + c)).doubleValue();
                    assertEquals(expected.getDouble(i, c), p, 1e-5, path + " p_" + c);
                    if (expected.getDouble(i, c) > expected.getDouble(i, best)) best = c;
                }
                assertEquals(best, ((Number) row.get(1)).intValue(), path);
                assertEquals(Cifar10.CLASSES.get(best), row.getString(2));
            }
        }
    }

    @Test
    void predictResizesAnImageFileToTheModelsInput() throws Exception {
        BufferedImage big = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        Path f = tmp.resolve("one/big.jpg");
        Files.createDirectories(f.getParent());
        ImageIO.write(big, "jpg", f.toFile());
        String out = tmp.resolve("one.csv").toString();
        Run r = cli("predict", "--model", model, "--input", f.toString(), "--output", out);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("Predicted 1 image(s)"), r.out());
    }

    @Test
    void predictNamesAnUnreadableImageAndAMissingInputInOneLine() throws Exception {
        Path dir = tmp.resolve("broken");
        Files.createDirectories(dir);
        ImageIO.write(
                new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB),
                "png",
                dir.resolve("ok.png").toFile());
        Files.write(dir.resolve("bad.png"), "not a png".getBytes(StandardCharsets.UTF_8));
        Run r =
                cli(
                        "predict",
                        "--model",
                        model,
                        "--input",
                        dir.toString(),
                        "--output",
                        tmp.resolve("p.csv").toString());
        assertEquals(2, r.code(), r.out() + r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(2, lines.size(), r.err());
        assertTrue(
                lines.get(0)
                        .matches(
                                "error: image \\S*bad\\.png cannot be decoded as JPEG, PNG or BMP \\(9 bytes\\)"),
                lines.get(0));

        String nowhere = tmp.resolve("no-such-folder").toString();
        Run missing =
                cli(
                        "predict",
                        "--model",
                        model,
                        "--input",
                        nowhere,
                        "--output",
                        tmp.resolve("q.csv").toString());
        assertEquals(2, missing.code());
        assertEquals(
                "error: --input '"
                        + nowhere
                        + "' does not exist; expected an image file or a folder",
                missing.err().lines().findFirst().orElse(""));

        Run badOut =
                cli("predict", "--model", model, "--input", dir.toString(), "--output", "p.txt");
        assertEquals(2, badOut.code());
        assertEquals(
                "error: --output must end in .csv or .parquet but was: 'p.txt'",
                badOut.err().lines().findFirst().orElse(""));

        Run noModel =
                cli(
                        "predict",
                        "--model",
                        nowhere + ".kindling",
                        "--input",
                        dir.toString(),
                        "--output",
                        tmp.resolve("r.csv").toString());
        assertEquals(2, noModel.code());
        assertEquals(
                "error: --model '" + nowhere + ".kindling' does not exist",
                noModel.err().lines().findFirst().orElse(""));
    }

    @Test
    void evaluateAndPredictReadADl4jZipGivenItsShape() throws Exception {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = Dl4jBackendTest.dl4jNet(0.01);
        Path zip = tmp.resolve("dl4j.zip");
        org.deeplearning4j.util.ModelSerializer.writeModel(net, zip.toFile(), false);
        String json = tmp.resolve("eval-dl4j.json").toString();
        Run r =
                cli(
                        "evaluate",
                        "--model",
                        zip.toString(),
                        "--data",
                        SharedData.datasets().toString(),
                        "--output",
                        json);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(
                r.out().contains("note: the model does not record its input normalisation"),
                r.out());
        // DL4J's own forward pass on the same normalised test images
        List<ImageRecord> test =
                Datasets.load(
                                LocalSpark.context(),
                                Datasets.Request.of("cifar10", SharedData.datasets().toString(), 2))
                        .test()
                        .collect();
        long correct = 0;
        for (int from = 0; from < test.size(); from += 1000) {
            List<ImageRecord> chunk = test.subList(from, Math.min(test.size(), from + 1000));
            Batch b =
                    Batch.of(
                            chunk,
                            Cifar10.IMAGE_SHAPE,
                            new org.kindling.data.batch.Normalization(
                                    Cifar10.TRAIN_MEAN, Cifar10.TRAIN_STD),
                            10,
                            false);
            INDArray predicted = net.output(b.features()).argMax(1);
            correct +=
                    predicted
                            .castTo(org.nd4j.linalg.api.buffer.DataType.LONG)
                            .eq(b.labels().castTo(org.nd4j.linalg.api.buffer.DataType.LONG))
                            .castTo(org.nd4j.linalg.api.buffer.DataType.INT)
                            .sumNumber()
                            .longValue();
        }
        JsonObject o = JsonParser.parseString(Files.readString(Path.of(json))).getAsJsonObject();
        assertEquals("dl4j", o.get("format").getAsString());
        assertEquals(correct, Math.round(o.get("accuracy").getAsDouble() * 10_000));

        Path images = tmp.resolve("dl4j-images");
        Files.createDirectories(images);
        ImageIO.write(png(test.get(0).pixels()), "png", images.resolve("x.png").toFile());
        String out = tmp.resolve("dl4j.csv").toString();
        Run noShape =
                cli(
                        "predict",
                        "--model",
                        zip.toString(),
                        "--input",
                        images.toString(),
                        "--output",
                        out);
        assertEquals(2, noShape.code());
        assertEquals(
                "error: --model '"
                        + zip
                        + "' is a DL4J zip, which does not record its input shape and classes; give --input-shape C,H,W and --classes N",
                noShape.err().lines().findFirst().orElse(""));
        Run p =
                cli(
                        "predict",
                        "--model",
                        zip.toString(),
                        "--input",
                        images.toString(),
                        "--output",
                        out,
                        "--input-shape",
                        "3,32,32",
                        "--classes",
                        "10");
        assertEquals(0, p.code(), p.out() + p.err());
        assertTrue(p.out().contains("Predicted 1 image(s)"), p.out());
    }

    private static BufferedImage png(byte[] chw) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int r = chw[y * 32 + x] & 0xFF;
                int g = chw[1024 + y * 32 + x] & 0xFF;
                int b = chw[2048 + y * 32 + x] & 0xFF;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }
}
