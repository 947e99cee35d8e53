package org.kindling.spark.ml;

import java.io.Serializable;
import scala.runtime.AbstractFunction1;

/**
 * A Spark ML param validator that throws, instead of returning false, so the message says what was
 * expected: {@code "KindlingClassifier param epochs: --epochs must be >= 1 but was: 0"}. The rules
 * are those of {@link org.kindling.spark.TrainingConfig} where one exists, so Spark ML and the
 * command line reject the same values with the same words.
 */
final class ParamCheck<T> extends AbstractFunction1<T, Object> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A rule that throws {@link IllegalArgumentException} for a bad value. */
    interface Rule<T> extends Serializable {
        void check(T value);
    }

    private final String owner;
    private final String param;
    private final Rule<T> rule;

    ParamCheck(String owner, String param, Rule<T> rule) {
        this.owner = owner;
        this.param = param;
        this.rule = rule;
    }

    @Override
    public Object apply(T value) {
        if (value == null) {
            throw new IllegalArgumentException(
                    owner + " param " + param + " must be set but was: null");
        }
        try {
            rule.check(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    owner + " param " + param + ": " + e.getMessage(), e);
        }
        return Boolean.TRUE;
    }

    /** A column name: not empty. */
    static ParamCheck<String> column(String owner, String param) {
        return new ParamCheck<>(
                owner,
                param,
                v -> {
                    if (v.isBlank()) {
                        throw new IllegalArgumentException(
                                "must be a column name but was: '" + v + "'");
                    }
                });
    }
}
