package org.kindling.nn.bench;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code --name value} options of a benchmark program. Refuses what it does not know: a
 * mistyped option would otherwise time the defaults without a word.
 */
public final class Options {
    private final String program;
    private final Map<String, String> values = new HashMap<>();

    private Options(String program) {
        this.program = program;
    }

    /**
     * Parses {@code args} as pairs.
     *
     * @throws IllegalArgumentException naming the program, the bad argument and what it accepts
     */
    public static Options parse(String program, String[] args, String... known) {
        Set<String> names = new TreeSet<>(Arrays.asList(known));
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException(
                    program
                            + ": options come in pairs (--name value); got "
                            + Arrays.toString(args));
        }
        Options o = new Options(program);
        for (int i = 0; i < args.length; i += 2) {
            if (!names.contains(args[i])) {
                throw new IllegalArgumentException(
                        program + ": unknown option '" + args[i] + "'; expected one of " + names);
            }
            o.values.put(args[i], args[i + 1]);
        }
        return o;
    }

    /** The value of {@code name}, or {@code def} (may be null) when it was not given. */
    public String get(String name, String def) {
        return values.getOrDefault(name, def);
    }

    /** The value of {@code name} as an integer >= 1, or {@code def}. */
    public int positive(String name, int def) {
        String v = values.get(name);
        if (v == null) {
            return def;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                program + ": " + name + " '" + v + "' is not an integer >= 1");
    }
}
