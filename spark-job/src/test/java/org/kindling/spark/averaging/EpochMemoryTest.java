package org.kindling.spark.averaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The release between epochs: once per epoch and JVM, never in a run's first epoch here. */
class EpochMemoryTest {

    @Test
    void memoryIsReleasedOncePerEpochAfterTheRunsFirstOnThisJvm() {
        String run = "epoch-memory-test";
        try {
            assertFalse(EpochMemory.epochStarting(run, 1), "the run's first epoch on this JVM");
            assertFalse(EpochMemory.epochStarting(run, 1), "a second partition's first epoch");
            assertTrue(EpochMemory.epochStarting(run, 2), "the first task of epoch 2");
            assertFalse(EpochMemory.epochStarting(run, 2), "another task of epoch 2");
            assertFalse(EpochMemory.epochStarting(run, 1), "an older epoch (a retried task)");
            assertTrue(EpochMemory.epochStarting(run, 4), "the first task of epoch 4");
            EpochMemory.release(run);
            // a run resumed from a checkpoint at epoch 5 starts without a collection
            assertFalse(EpochMemory.epochStarting(run, 5), "the first epoch after release");
            assertTrue(EpochMemory.epochStarting(run, 6), "the next one");
            assertFalse(EpochMemory.epochStarting("another-run", 6), "another run's first");
        } finally {
            EpochMemory.release(run);
            EpochMemory.release("another-run");
        }
    }

    @Test
    void theJvmTrimsTheNativeHeapFrom17_0_9On() {
        Runtime.Version v = Runtime.version();
        // JDK 21 added it, and 17.0.9 got it back-ported
        boolean hasTrim = v.feature() >= 21 || (v.feature() == 17 && v.update() >= 9);
        assertEquals(
                hasTrim,
                EpochMemory.trimNativeHeap(),
                "System.trim_native_heap through the DiagnosticCommand MBean on Java " + v);
    }
}
