package org.kindling.spark.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.LocalSpark;
import org.kindling.data.folder.ImageFolder;

/**
 * Runs every Zeppelin note in {@code notebooks/} paragraph by paragraph in an embedded Scala 2.12
 * interpreter with {@code spark}, {@code sc} and {@code z} bound to the tests' local Spark, and the
 * {@code dataHome} form set to the real datasets ({@code kindling.shared}/datasets). Each note's
 * output is written to {@code target/notebooks/NAME.txt}.
 */
class NotebooksTest {
    static final Path NOTEBOOKS = Paths.get("..", "notebooks");
    static final Path OUTPUT = Paths.get("target", "notebooks");
    static final Pattern PNG =
            Pattern.compile("<img src=['\"]data:image/png;base64,([A-Za-z0-9+/=]+)['\"]");

    static NoteRunner runner() {
        Path datasets =
                Paths.get(System.getProperty("kindling.shared", "../../shared"), "datasets")
                        .toAbsolutePath()
                        .normalize();
        assertTrue(
                Files.isDirectory(datasets.resolve("cifar10")),
                "the notes read the real CIFAR-10 from "
                        + datasets
                        + " (set -Dkindling.shared=DIR with DIR/datasets/cifar10)");
        JavaSparkContext sc = LocalSpark.context();
        return new NoteRunner(System.getProperty("java.class.path"))
                .bind("spark", "org.apache.spark.sql.SparkSession", ImageFolder.session(sc))
                .bind("sc", "org.apache.spark.SparkContext", sc.sc())
                .bind(
                        "z",
                        NotebookContext.class.getName(),
                        new NotebookContext(Map.of("dataHome", datasets.toString())));
    }

    static List<Path> notes() throws IOException {
        try (Stream<Path> s = Files.walk(NOTEBOOKS)) {
            return s.filter(p -> p.toString().endsWith(".zpln"))
                    .sorted(
                            java.util.Comparator.comparing(NotebooksTest::topic)
                                    .thenComparing(p -> p.toString()))
                    .toList();
        }
    }

    /** The leading number of a note's file name ("6. The Sequential ..." is 6), else 0. */
    static int topic(Path file) {
        Matcher m = Pattern.compile("^(\\d+)\\.").matcher(file.getFileName().toString());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @TestFactory
    Stream<DynamicTest> everyNoteRunsParagraphByParagraph() throws IOException {
        List<Path> files = notes();
        assertTrue(files.size() >= 9, "expected the course notes in " + NOTEBOOKS + ": " + files);
        NoteRunner runner = runner();
        Files.createDirectories(OUTPUT);
        return files.stream()
                .map(
                        f ->
                                dynamicTest(
                                        f.getFileName().toString(),
                                        () -> {
                                            ZeppelinNote note = ZeppelinNote.read(f);
                                            List<NoteRunner.Output> out = runner.run(note);
                                            Files.writeString(
                                                    OUTPUT.resolve(note.name() + ".txt"),
                                                    render(out),
                                                    StandardCharsets.UTF_8);
                                            checkDisplays(note, out);
                                        }));
    }

    @Test
    void theCourseTopicsOneToTenHaveOneNoteEach() throws IOException {
        List<Integer> numbers = new java.util.ArrayList<>();
        for (Path f : notes()) {
            numbers.add(Integer.parseInt(ZeppelinNote.read(f).name().split("\\.")[0]));
        }
        assertEquals(numbers.size(), Set.copyOf(numbers).size(), "one note per topic: " + numbers);
        assertTrue(
                numbers.containsAll(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
                "topics 1-10: " + numbers);
    }

    @Test
    void boundValuesAndTablesWorkAsInZeppelin(@TempDir Path tmp) throws IOException {
        ZeppelinNote note =
                note(
                        tmp,
                        "%md\n# Bindings",
                        "%spark\nz.show(spark.range(3).toDF(\"n\"))",
                        "%spark\nprint(sc.parallelize(1 to 4).count() + \" \" + z.textbox(\"dataHome\", \"x\"))");
        List<NoteRunner.Output> out = runner().run(note);
        assertEquals("%table n\n0\n1\n2\n", out.get(1).text());
        assertTrue(out.get(2).text().startsWith("4 /"), out.get(2).text());
    }

    @Test
    void aCompileErrorNamesTheNoteTheParagraphAndTheError(@TempDir Path tmp) throws IOException {
        ZeppelinNote note =
                note(tmp, "%md\nintro", "%spark\nval x = 1", "%spark\nval y: Int = \"one\"");
        AssertionError e = assertThrows(AssertionError.class, () -> runner().run(note));
        assertTrue(
                e.getMessage().startsWith("note 'probe' (probe_2PROBE000.zpln), paragraph 3 of 3"),
                e.getMessage());
        assertTrue(e.getMessage().contains("type mismatch"), e.getMessage());
    }

    @Test
    void anExceptionFailsItsParagraph(@TempDir Path tmp) throws IOException {
        ZeppelinNote note =
                note(
                        tmp,
                        "%spark\nval a = 1",
                        "%spark\nthrow new IllegalStateException(\"boom\")",
                        "%spark\nval b = 2");
        AssertionError e = assertThrows(AssertionError.class, () -> runner().run(note));
        assertTrue(e.getMessage().contains("paragraph 2 of 3"), e.getMessage());
        assertTrue(
                e.getMessage().contains("java.lang.IllegalStateException: boom"), e.getMessage());
    }

    @Test
    void anEmptyMarkdownParagraphOrAnUnknownInterpreterFails(@TempDir Path tmp) throws IOException {
        AssertionError md =
                assertThrows(
                        AssertionError.class,
                        () -> runner().run(note(tmp, "%spark\n1", "%md\n  \n")));
        assertTrue(md.getMessage().contains("paragraph 2 of 2 (%md"), md.getMessage());
        AssertionError sh =
                assertThrows(AssertionError.class, () -> runner().run(note(tmp, "%sh\nls")));
        assertTrue(sh.getMessage().contains("not %sh"), sh.getMessage());
    }

    /** Every embedded PNG decodes; every %table has a header and rows of the same width. */
    static void checkDisplays(ZeppelinNote note, List<NoteRunner.Output> outputs)
            throws IOException {
        for (NoteRunner.Output o : outputs) {
            String where = note.name() + ", paragraph " + o.index();
            Matcher m = PNG.matcher(o.text());
            while (m.find()) {
                BufferedImage img =
                        ImageIO.read(
                                new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
                assertTrue(
                        img != null && img.getWidth() > 0, where + ": an image that is not a PNG");
            }
            int t = o.text().indexOf("%table ");
            if (t >= 0) {
                List<String> lines =
                        o.text().substring(t + 7).lines().takeWhile(l -> !l.isEmpty()).toList();
                int width = lines.get(0).split("\t", -1).length;
                assertTrue(lines.size() > 1, where + ": a %table without rows");
                for (String l : lines) {
                    assertEquals(
                            width, l.split("\t", -1).length, where + ": table row '" + l + "'");
                }
            }
        }
    }

    static String render(List<NoteRunner.Output> out) {
        return out.stream()
                .map(
                        o ->
                                "---- paragraph "
                                        + o.index()
                                        + " (%"
                                        + o.interpreter()
                                        + ")\n"
                                        + o.text())
                .collect(Collectors.joining("\n"));
    }

    /** A note named 'probe' with the given paragraph texts, written like Zeppelin writes it. */
    static ZeppelinNote note(Path dir, String... texts) throws IOException {
        StringBuilder ps = new StringBuilder();
        for (int i = 0; i < texts.length; i++) {
            com.google.gson.JsonObject p = new com.google.gson.JsonObject();
            p.addProperty("text", texts[i]);
            p.addProperty("id", "paragraph_" + i);
            p.add("config", new com.google.gson.JsonObject());
            p.add("settings", new com.google.gson.JsonObject());
            ps.append(i == 0 ? "" : ",").append(p);
        }
        Path f = dir.resolve("probe_2PROBE000.zpln");
        Files.writeString(
                f,
                "{\"paragraphs\":["
                        + ps
                        + "],\"name\":\"probe\",\"id\":\"2PROBE000\",\"defaultInterpreterGroup\":\"spark\",\"config\":{},\"info\":{}}");
        return ZeppelinNote.read(f);
    }
}
