package org.kindling.spark.notebooks;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scala.collection.immutable.List$;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;

/**
 * Runs a Zeppelin note the way Zeppelin's Spark interpreter does for Scala 2.12: every {@code
 * %spark} paragraph, in order, in one embedded Scala interpreter ({@link IMain}, class-based
 * wrappers as Zeppelin uses them) with the bound values (e.g. {@code spark}, {@code sc}, {@code z})
 * in scope. A fresh interpreter per note keeps notes independent. {@code %md} paragraphs must have
 * text.
 *
 * <p>Each paragraph's output (Scala's and Java's standard output, and the interpreter's echo of
 * definitions and errors) is collected; Zeppelin renders output that starts with {@code %table} or
 * {@code %html} as a table or HTML.
 *
 * <p>Unlike Zeppelin, the runner does not serve the interpreter's classes to Spark executors
 * ({@code spark.repl.class.uri}), so closures written in a note cannot run inside Spark tasks here;
 * the notes keep executor-side code in Kindling's compiled classes and DataFrame expressions.
 */
final class NoteRunner {
    private final Map<String, Binding> bindings = new LinkedHashMap<>();
    private final String classPath;

    private record Binding(String type, Object value) {}

    /** One paragraph's interpreter and output. */
    record Output(int index, String interpreter, String text) {}

    /**
     * @param classPath the class path of the interpreted code (the test's class path)
     */
    NoteRunner(String classPath) {
        if (!classPath.contains("scala-library")) {
            throw new IllegalArgumentException(
                    "the interpreter's class path has no scala-library jar: " + classPath);
        }
        this.classPath = classPath;
    }

    /** Binds {@code value} as {@code name} of Scala type {@code type} in every note. */
    NoteRunner bind(String name, String type, Object value) {
        bindings.put(name, new Binding(type, value));
        return this;
    }

    /**
     * Runs every paragraph of {@code note} in order.
     *
     * @return the output of each paragraph
     * @throws AssertionError on the first paragraph that fails (a compile error, an exception, an
     *     incomplete statement, an empty {@code %md}, an interpreter other than {@code %md} and
     *     {@code %spark}), naming the note, the paragraph and the interpreter's output
     */
    List<Output> run(ZeppelinNote note) {
        SwitchableStream sink = new SwitchableStream();
        PrintWriter replOut =
                new PrintWriter(new OutputStreamWriter(sink, StandardCharsets.UTF_8), true);
        Settings settings = new Settings();
        settings.classpath().value_$eq(classPath);
        settings.Yreplclassbased().value_$eq(true);
        IMain intp = new IMain(settings, replOut);
        PrintStream stdout = System.out;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        List<Output> outputs = new ArrayList<>();
        try {
            intp.initializeSynchronous();
            bindings.forEach(
                    (name, b) -> {
                        Results.Result r =
                                intp.bind(name, b.type(), b.value(), List$.MODULE$.empty());
                        if (r != Results.Success$.MODULE$) {
                            throw new IllegalStateException(
                                    "could not bind " + name + ": " + b.type() + " (" + r + ")");
                        }
                    });
            for (ZeppelinNote.Paragraph p : note.paragraphs()) {
                outputs.add(runParagraph(note, p, intp, sink, replOut, stdout));
            }
        } finally {
            System.setOut(stdout);
            Thread.currentThread().setContextClassLoader(loader);
            intp.close();
        }
        return outputs;
    }

    private Output runParagraph(
            ZeppelinNote note,
            ZeppelinNote.Paragraph p,
            IMain intp,
            SwitchableStream sink,
            PrintWriter replOut,
            PrintStream stdout) {
        switch (p.interpreter()) {
            case "md":
                if (p.body().isBlank()) {
                    throw failure(note, p, "the %md paragraph has no text");
                }
                return new Output(p.index(), p.interpreter(), p.body());
            case "spark":
                break;
            default:
                throw failure(
                        note,
                        p,
                        "the test runs %md and %spark paragraphs only, not %" + p.interpreter());
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        sink.target = out;
        System.setOut(out);
        Thread.currentThread().setContextClassLoader(intp.classLoader());
        Results.Result r;
        try {
            r = scala.Console$.MODULE$.withOut(out, () -> intp.interpret(p.body()));
        } finally {
            replOut.flush();
            out.flush();
            System.setOut(stdout);
            sink.target = OutputStream.nullOutputStream();
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        if (r == Results.Incomplete$.MODULE$) {
            throw failure(note, p, "incomplete input (an unclosed bracket or string?)\n" + text);
        }
        if (r != Results.Success$.MODULE$) {
            throw failure(note, p, text);
        }
        return new Output(p.index(), p.interpreter(), text);
    }

    private static AssertionError failure(
            ZeppelinNote note, ZeppelinNote.Paragraph p, String detail) {
        String first = p.body().strip().lines().findFirst().orElse("");
        return new AssertionError(
                String.format(
                        "note '%s' (%s), paragraph %d of %d (%%%s, starting '%s') failed:%n%s",
                        note.name(),
                        note.file().getFileName(),
                        p.index(),
                        note.paragraphs().size(),
                        p.interpreter(),
                        first,
                        detail));
    }

    /** Sends the interpreter's messages to the output of the paragraph that is running. */
    private static final class SwitchableStream extends OutputStream {
        volatile OutputStream target = OutputStream.nullOutputStream();

        @Override
        public void write(int b) throws java.io.IOException {
            target.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            target.write(b, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            target.flush();
        }
    }
}
