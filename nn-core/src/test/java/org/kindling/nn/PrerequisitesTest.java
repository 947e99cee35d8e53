package org.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class PrerequisitesTest {
    @Test
    void aMissingPrerequisiteFailsInCi() {
        AssertionFailedError e =
                assertThrows(
                        AssertionFailedError.class,
                        () ->
                                Prerequisites.require(
                                        false, "real data at /x", Map.of("CI", "true")));
        assertTrue(e.getMessage().contains("real data at /x"), e.getMessage());
    }

    @Test
    void aMissingPrerequisiteSkipsOutsideCi() {
        assertThrows(
                TestAbortedException.class,
                () -> Prerequisites.require(false, "real data at /x", Map.of()));
        assertThrows(
                TestAbortedException.class,
                () -> Prerequisites.require(false, "real data at /x", Map.of("CI", "false")));
    }

    @Test
    void aPresentPrerequisitePassesEverywhere() {
        assertDoesNotThrow(() -> Prerequisites.require(true, "x", Map.of("CI", "true")));
        assertDoesNotThrow(() -> Prerequisites.require(true, "x", Map.of()));
    }
}
