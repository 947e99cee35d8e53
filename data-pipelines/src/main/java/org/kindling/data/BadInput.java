package org.kindling.data;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;

/**
 * What to do with a bad record (undecodable image, label out of range, ...): {@link Policy#FAIL}
 * (the default) stops before training with an error naming the file, the record and the bad value;
 * {@link Policy#SKIP} drops the record and counts it per file in a {@link Report}.
 */
public final class BadInput {
    private BadInput() {}

    /** The policy. */
    public enum Policy {
        FAIL,
        SKIP;

        /** Parses fail or skip. */
        public static Policy parse(String s) {
            for (Policy p : values()) {
                if (p.name().equalsIgnoreCase(s)) return p;
            }
            throw new IllegalArgumentException(
                    "bad-input policy must be 'fail' or 'skip' but was: '" + s + "'");
        }
    }

    /** Skipped records, collected from the executors with an accumulator. */
    public static final class Report implements Serializable {
        private static final long serialVersionUID = 1L;
        private final CollectionAccumulator<String> skipped;

        /** A report registered with {@code sc}. */
        public Report(JavaSparkContext sc, String name) {
            this.skipped = sc.sc().collectionAccumulator("kindling.skipped." + name);
        }

        /** Records a skipped record of {@code file} (called in tasks). */
        public void skip(String file, String reason) {
            skipped.add(file + "\t" + reason);
        }

        /**
         * Skipped records per file (read on the driver after an action). Each skipped record is
         * counted once even when Spark recomputed or retried the task that skipped it (an
         * accumulator inside a transformation sees the same record again then): entries name the
         * record, and duplicates are dropped.
         */
        public Map<String, Long> perFile() {
            Map<String, Long> m = new TreeMap<>();
            for (String s : details()) {
                m.merge(s.substring(0, s.indexOf('\t')), 1L, Long::sum);
            }
            return m;
        }

        /** All skipped records as {@code file<TAB>reason}, each once, in order. */
        public List<String> details() {
            return List.copyOf(new java.util.TreeSet<>(skipped.value()));
        }
    }
}
