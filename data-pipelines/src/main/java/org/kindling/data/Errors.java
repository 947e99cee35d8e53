package org.kindling.data;

/** Error-message helpers shared by the readers. */
public final class Errors {
    private Errors() {}

    /**
     * What went wrong, never {@code "null"}: the exception's message, or its class name (with its
     * cause's description) when it has none, as {@code ConnectException} from the HTTP client; a
     * file-system exception, whose message is only the path, is prefixed with its class.
     */
    public static String describe(Throwable t) {
        String m = t.getMessage();
        if (m != null && !m.isBlank()) {
            // NoSuchFileException, AccessDeniedException, ...: the message is only the path.
            return t instanceof java.nio.file.FileSystemException
                    ? t.getClass().getSimpleName() + ": " + m
                    : m;
        }
        String s = t.getClass().getSimpleName();
        Throwable c = t.getCause();
        return c == null || c == t ? s : s + " (" + describe(c) + ")";
    }
}
