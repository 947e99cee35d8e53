package org.nd4j.nativeblas;

/**
 * Compatibility shim for DL4J 1.0.0-M2.x ({@code ../shared/notes/PERFORMANCE.md}): DL4J's oneDNN
 * layer helpers check {@code org.nd4j.nativeblas.Nd4jCpu$Environment.getInstance().isUseMKLDNN()}
 * by reflection, a class that ND4J renamed; without this answer DL4J silently runs convolutions on
 * its 15x slower built-in path. It delegates to the renamed class.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {}

    /** The old name of ND4J's native environment. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {}

        /** The one instance. */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Whether libnd4j uses oneDNN (the old method name of {@code isUseONEDNN}). */
        public boolean isUseMKLDNN() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance()
                    .isUseONEDNN();
        }
    }
}
