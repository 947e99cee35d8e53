package org.kindling.nn.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Kindling's own version, as the build recorded it. */
public final class Versions {
    private static final String KINDLING = load();

    private Versions() {}

    /** The version of this Kindling build, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String kindling() {
        return KINDLING;
    }

    private static String load() {
        try (InputStream in =
                Versions.class.getResourceAsStream("/org/kindling/nn/kindling.properties")) {
            Properties p = new Properties();
            if (in == null) {
                throw new IllegalStateException(
                        "kindling.properties is missing from the nn-core jar");
            }
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kindling.properties: " + e, e);
        }
    }
}
