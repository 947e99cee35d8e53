package org.kindling.nn.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Read access to a module's {@code config} in an architecture spec, with errors that name the key
 * and what was expected.
 */
public final class SpecConfig {
    private final JsonObject json;

    /** Wraps {@code json} (null means empty). */
    public SpecConfig(JsonObject json) {
        this.json = json == null ? new JsonObject() : json;
    }

    /** Whether {@code key} is present. */
    public boolean has(String key) {
        return json.has(key) && !json.get(key).isJsonNull();
    }

    /** The raw element. */
    public JsonElement get(String key) {
        return require(key);
    }

    /** An integer value. */
    public int i(String key) {
        JsonElement e = require(key);
        try {
            return e.getAsInt();
        } catch (RuntimeException ex) {
            throw bad(key, e, "an integer");
        }
    }

    /** An integer value, or {@code otherwise} if absent. */
    public int i(String key, int otherwise) {
        return has(key) ? i(key) : otherwise;
    }

    /** A number. */
    public double d(String key) {
        JsonElement e = require(key);
        try {
            return e.getAsDouble();
        } catch (RuntimeException ex) {
            throw bad(key, e, "a number");
        }
    }

    /** A boolean. */
    public boolean bool(String key) {
        JsonElement e = require(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw bad(key, e, "true or false");
        }
        return e.getAsBoolean();
    }

    /** A boolean, or {@code otherwise} if absent. */
    public boolean bool(String key, boolean otherwise) {
        return has(key) ? bool(key) : otherwise;
    }

    /** A string. */
    public String s(String key) {
        JsonElement e = require(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw bad(key, e, "a string");
        }
        return e.getAsString();
    }

    /** A (height, width) pair given as {@code [h, w]} or as one integer for both. */
    public int[] pair(String key) {
        JsonElement e = require(key);
        try {
            if (e.isJsonArray()) {
                JsonArray a = e.getAsJsonArray();
                if (a.size() != 2) {
                    throw bad(key, e, "an integer or a pair [h, w]");
                }
                return new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
            }
            return new int[] {e.getAsInt(), e.getAsInt()};
        } catch (IllegalArgumentException ex) {
            throw ex;
        } catch (RuntimeException ex) {
            throw bad(key, e, "an integer or a pair [h, w]");
        }
    }

    private JsonElement require(String key) {
        if (!has(key)) {
            throw new IllegalArgumentException("missing '" + key + "' in config " + json);
        }
        return json.get(key);
    }

    private static IllegalArgumentException bad(String key, JsonElement e, String expected) {
        return new IllegalArgumentException("'" + key + "' must be " + expected + " but was: " + e);
    }
}
