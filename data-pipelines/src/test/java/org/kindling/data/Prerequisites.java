package org.kindling.data;

import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from outside the build (the real datasets, Debian's python3-torch). On a
 * developer machine a missing prerequisite skips the test with the reason; in CI (environment
 * variable {@code CI=true}, set by {@code .ci/run}) it fails it, so a skip never hides a failure.
 */
public final class Prerequisites {
    private Prerequisites() {}

    /**
     * Skips (locally) or fails (CI=true) the calling test unless {@code present}.
     *
     * @param what the missing thing and where it was looked for, e.g. "real MNIST at /x/mnist"
     */
    public static void require(boolean present, String what) {
        require(present, what, System.getenv());
    }

    static void require(boolean present, String what, Map<String, String> env) {
        if (present) return;
        if ("true".equalsIgnoreCase(env.getOrDefault("CI", "").trim())) {
            Assertions.fail(what + " is missing, and CI=true requires it (no skipping in CI)");
        }
        Assumptions.abort(what + " is missing; skipped (with CI=true this fails)");
    }
}
