package org.kindling.nn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.environment.Nd4jEnvironment;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.factory.Nd4j;

class Nd4jRuntimeTest {

    @Test
    void describeBackendNamesTheCpuBackendAndItsOneDevice() {
        Nd4jRuntime.init(1);
        String line = Nd4jRuntime.describeBackend();
        assertTrue(line.startsWith("CpuBackend on 1 device: CPU ("), line);
        assertTrue(
                line.contains("(" + Runtime.getRuntime().availableProcessors() + " cores"), line);
        assertTrue(line.contains("BLAS "), line);
    }

    @Test
    void describeBackendListsEachGpuWithComputeCapabilityAndMemory() {
        // The environment ND4J's CUDA executioner reports (same keys and value types), two GPUs.
        Properties env = new Properties();
        env.put(Nd4jEnvironment.BACKEND_KEY, "CUDA");
        env.put(Nd4jEnvironment.CUDA_NUM_GPUS_KEY, 2);
        env.put(
                Nd4jEnvironment.CUDA_DEVICE_INFORMATION_KEY,
                List.of(
                        gpu("NVIDIA A100-SXM4-40GB", 8, 0, 42_298_834_944L),
                        gpu("NVIDIA A10", 8, 6, 23_836_033_024L)));
        assertEquals(
                "JCublasBackend on 2 devices: [0] NVIDIA A100-SXM4-40GB (sm_80, 39.4 GiB),"
                        + " [1] NVIDIA A10 (sm_86, 22.2 GiB)",
                Nd4jRuntime.describeBackend("JCublasBackend", 2, env));
    }

    @Test
    void describeBackendWithoutGpuInformationDescribesTheCpu() {
        Properties env = new Properties();
        env.put(Nd4jEnvironment.BACKEND_KEY, "CPU");
        env.put(Nd4jEnvironment.CPU_CORES_KEY, 16);
        env.put(Nd4jEnvironment.BLAS_VENDOR_KEY, "OPENBLAS");
        assertEquals(
                "CpuBackend on 1 device: CPU (16 cores, BLAS OPENBLAS)",
                Nd4jRuntime.describeBackend("CpuBackend", 1, env));
    }

    @Test
    void releaseWorkspacesFreesTheThreadsWorkspacesWithoutAFullCollection() throws Exception {
        long[] seen = new long[3];
        Thread t =
                new Thread(
                        () -> {
                            WorkspaceConfiguration c =
                                    WorkspaceConfiguration.builder().initialSize(1 << 20).build();
                            try (MemoryWorkspace ws =
                                    Nd4j.getWorkspaceManager()
                                            .getAndActivateWorkspace(c, "kindling-test-ws")) {
                                Nd4j.create(DataType.FLOAT, 1024).addi(1);
                            }
                            long before = fullCollections();
                            seen[0] = Nd4jRuntime.releaseWorkspaces();
                            seen[1] = fullCollections() - before;
                            seen[2] =
                                    Nd4j.getWorkspaceManager()
                                            .getAllWorkspacesForCurrentThread()
                                            .size();
                        });
        t.start();
        t.join();
        assertEquals(1, seen[0], "workspaces freed");
        assertEquals(0, seen[1], "full collections while freeing them");
        assertEquals(0, seen[2], "workspaces left on the thread");
    }

    /** Full (old-generation) collections so far; ND4J's own release would add one. */
    private static long fullCollections() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (b.getName().contains("Old") || b.getName().contains("MarkSweep")) {
                n += b.getCollectionCount();
            }
        }
        return n;
    }

    private static Map<String, Object> gpu(String name, long major, long minor, long totalBytes) {
        return Map.of(
                Nd4jEnvironment.CUDA_DEVICE_NAME_KEY, name,
                Nd4jEnvironment.CUDA_DEVICE_MAJOR_VERSION_KEY, major,
                Nd4jEnvironment.CUDA_DEVICE_MINOR_VERSION_KEY, minor,
                Nd4jEnvironment.CUDA_TOTAL_MEMORY_KEY, totalBytes,
                Nd4jEnvironment.CUDA_FREE_MEMORY_KEY, totalBytes / 2);
    }
}
