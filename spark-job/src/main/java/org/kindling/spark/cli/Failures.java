package org.kindling.spark.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkException;
import picocli.CommandLine.ParameterException;

/**
 * The cause of a failed command, as the user should see it: Spark's "Job aborted due to stage
 * failure" (and other wrappers) unwrapped to what the task threw, and whether it is the input's
 * fault (exit code 2) or an internal failure (exit code 1).
 */
final class Failures {
    private Failures() {}

    /**
     * What failed.
     *
     * @param message one line, never empty or "null"
     * @param isInputError a bad option or bad input (IllegalArgumentException, an IOException, a
     *     picocli ParameterException)
     */
    record Cause(String message, boolean isInputError) {}

    /** Exceptions whose own message says everything; others are prefixed with their class. */
    private static final Set<String> SELF_DESCRIBING =
            Set.of(
                    IllegalArgumentException.class.getName(),
                    IllegalStateException.class.getName(),
                    IOException.class.getName(),
                    UncheckedIOException.class.getName(),
                    ParameterException.class.getName());

    /** "most recent failure: Lost task 0.3 in stage 1.0 (TID 7) (host executor 1): a.B: msg". */
    private static final Pattern TASK_FAILURE =
            Pattern.compile(
                    "most recent failure: Lost task .*?\\): ([\\w.$]+(?:Exception|Error))(?:: ([^\\n]*))?");

    static Cause rootCause(Throwable ex) {
        Throwable t = ex;
        while (isWrapper(t)) {
            if (t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
                continue;
            }
            Cause fromText = t.getMessage() == null ? null : fromTaskFailure(t.getMessage());
            if (fromText != null) return fromText;
            break;
        }
        return new Cause(message(t), isInput(t.getClass()));
    }

    private static boolean isWrapper(Throwable t) {
        return t instanceof SparkException
                || t instanceof ExecutionException
                || t instanceof CompletionException
                || t instanceof InvocationTargetException
                || t instanceof UndeclaredThrowableException;
    }

    /** The task's exception from the text of a stage failure (when its class did not travel). */
    static Cause fromTaskFailure(String text) {
        Matcher m = TASK_FAILURE.matcher(text);
        if (!m.find()) return null;
        String cls = m.group(1);
        String msg = m.group(2) == null || m.group(2).isBlank() ? null : m.group(2).trim();
        Class<?> c;
        try {
            c = Class.forName(cls, false, Failures.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            c = null;
        }
        boolean input = c != null ? isInput(c) : cls.endsWith("IllegalArgumentException");
        return new Cause(describe(cls, msg), input);
    }

    private static boolean isInput(Class<?> c) {
        return IllegalArgumentException.class.isAssignableFrom(c)
                || IOException.class.isAssignableFrom(c)
                || UncheckedIOException.class.isAssignableFrom(c)
                || ParameterException.class.isAssignableFrom(c);
    }

    /** A one-line message: the exception's own, prefixed with its class where that is needed. */
    static String message(Throwable t) {
        return describe(t.getClass().getName(), t.getMessage());
    }

    private static String describe(String className, String message) {
        String simple = className.substring(className.lastIndexOf('.') + 1);
        if (message == null || message.isBlank() || message.equals("null")) {
            return simple;
        }
        String line = message.strip();
        int nl = line.indexOf('\n');
        if (nl >= 0) line = line.substring(0, nl).strip();
        return SELF_DESCRIBING.contains(className) ? line : simple + ": " + line;
    }
}
