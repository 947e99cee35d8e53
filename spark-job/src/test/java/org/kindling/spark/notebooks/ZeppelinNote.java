package org.kindling.spark.notebooks;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Zeppelin note read from its {@code .zpln} file (Zeppelin 0.10/0.11: a JSON object with {@code
 * name}, {@code id}, {@code defaultInterpreterGroup} and {@code paragraphs}, each with a {@code
 * text} whose first word may name the interpreter, e.g. {@code %md} or {@code %spark}).
 *
 * @param name the note's name
 * @param file where it was read from
 * @param paragraphs the paragraphs in order
 */
record ZeppelinNote(String name, Path file, List<Paragraph> paragraphs) {

    /**
     * One paragraph.
     *
     * @param index position in the note, counting from 1
     * @param interpreter the interpreter named by the leading {@code %...} (e.g. {@code md}, {@code
     *     spark}), or the note's default interpreter group when there is none
     * @param body the text after the interpreter name
     */
    record Paragraph(int index, String interpreter, String body) {}

    /**
     * Reads a note.
     *
     * @throws IllegalArgumentException naming the file and the missing or malformed field
     */
    static ZeppelinNote read(Path file) throws IOException {
        JsonObject note;
        try {
            note =
                    JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
                            .getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a JSON object: " + e.getMessage(), e);
        }
        for (String field : new String[] {"name", "id", "paragraphs", "config", "info"}) {
            if (!note.has(field)) {
                throw new IllegalArgumentException(
                        file + ": a .zpln note needs '" + field + "' but has " + note.keySet());
            }
        }
        String defaultGroup =
                note.has("defaultInterpreterGroup")
                        ? note.get("defaultInterpreterGroup").getAsString()
                        : "spark";
        JsonArray ps = note.getAsJsonArray("paragraphs");
        List<Paragraph> out = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            JsonObject p = ps.get(i).getAsJsonObject();
            JsonElement text = p.get("text");
            if (text == null || text.isJsonNull()) {
                throw new IllegalArgumentException(
                        file + ": paragraph " + (i + 1) + " has no 'text'");
            }
            for (String field : new String[] {"id", "config", "settings"}) {
                if (!p.has(field)) {
                    throw new IllegalArgumentException(
                            file + ": paragraph " + (i + 1) + " has no '" + field + "'");
                }
            }
            out.add(parse(i + 1, text.getAsString(), defaultGroup));
        }
        return new ZeppelinNote(note.get("name").getAsString(), file, List.copyOf(out));
    }

    /** Splits {@code %interpreter body} (Zeppelin's paragraph syntax) into its two parts. */
    static Paragraph parse(int index, String text, String defaultGroup) {
        String t = text.stripLeading();
        if (!t.startsWith("%")) {
            return new Paragraph(index, defaultGroup, text);
        }
        int end = 1;
        while (end < t.length() && !Character.isWhitespace(t.charAt(end))) {
            end++;
        }
        return new Paragraph(index, t.substring(1, end), t.substring(end));
    }
}
