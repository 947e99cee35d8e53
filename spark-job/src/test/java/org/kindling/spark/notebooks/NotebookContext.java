package org.kindling.spark.notebooks;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The {@code z} of a note run by {@link NoteRunner}: the part of Zeppelin's {@code ZeppelinContext}
 * that Kindling's notes use, with Zeppelin's output conventions, so a note behaves the same here
 * and in Zeppelin.
 *
 * <ul>
 *   <li>{@link #show(Dataset)} prints the rows as Zeppelin's {@code %table} text (a header line and
 *       one line per row, columns separated by tabs), at most {@code maxResult} rows (the default
 *       of {@code zeppelin.spark.maxResult}, 1000).
 *   <li>{@link #textbox(String, String)} returns the value of a dynamic form: the value the harness
 *       set for that name, else the default (Zeppelin shows a text box instead).
 * </ul>
 */
public final class NotebookContext {
    /** Zeppelin's default {@code zeppelin.spark.maxResult}. */
    public static final int MAX_RESULT = 1000;

    private final Map<String, Object> params;

    /**
     * @param params the values of dynamic forms by name (e.g. {@code dataHome})
     */
    public NotebookContext(Map<String, Object> params) {
        this.params = Map.copyOf(params);
    }

    /** Renders the first {@value #MAX_RESULT} rows of {@code df} as a {@code %table}. */
    public void show(Dataset<?> df) {
        show(df, MAX_RESULT);
    }

    /** Renders the first {@code maxResult} rows of {@code df} as a {@code %table}. */
    public void show(Dataset<?> df, int maxResult) {
        PrintStream out = System.out;
        out.print(table(df, maxResult));
        out.flush();
    }

    /** The value of the text-box form {@code name}, or {@code defaultValue} if none was set. */
    public Object textbox(String name, String defaultValue) {
        return params.getOrDefault(name, defaultValue);
    }

    /** Zeppelin's {@code %table} text for the first {@code maxResult} rows of {@code df}. */
    static String table(Dataset<?> df, int maxResult) {
        if (maxResult < 1) {
            throw new IllegalArgumentException("maxResult must be >= 1 but was: " + maxResult);
        }
        Dataset<Row> rows = df.toDF();
        StringBuilder sb = new StringBuilder("%table ");
        sb.append(String.join("\t", rows.columns())).append('\n');
        List<Row> taken = rows.takeAsList(maxResult + 1);
        for (int r = 0; r < Math.min(maxResult, taken.size()); r++) {
            Row row = taken.get(r);
            for (int c = 0; c < row.size(); c++) {
                if (c > 0) {
                    sb.append('\t');
                }
                sb.append(cell(row.get(c)));
            }
            sb.append('\n');
        }
        if (taken.size() > maxResult) {
            sb.append("\n%html <font color=red>Results are limited by ")
                    .append(maxResult)
                    .append(".</font>\n");
        }
        return sb.toString();
    }

    private static String cell(Object v) {
        return v == null ? "null" : v.toString().replace('\t', ' ').replace('\n', ' ');
    }
}
