package org.kindling.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.nn.Init;
import org.kindling.nn.Prerequisites;
import org.kindling.nn.models.Tudui;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A Kindling state_dict loads into PyTorch's {@code Tudui} and gives the same logits, and a PyTorch
 * state_dict loads into Kindling's: {@code interop/tudui_interop.py} run by Debian's python3-torch
 * (skipped, with a message, where it is not installed).
 */
class PyTorchInteropTest {
    @TempDir Path tmp;

    static final Path SCRIPT = Paths.get("../interop/tudui_interop.py");

    static boolean torchAvailable() {
        try {
            Process p =
                    new ProcessBuilder("/usr/bin/python3", "-c", "import torch")
                            .redirectErrorStream(true)
                            .start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    static void write(Path p, Map<String, INDArray> t) throws Exception {
        try (OutputStream out = Files.newOutputStream(p)) {
            SafeTensors.write(t, Map.of(), out);
        }
    }

    static Map<String, INDArray> read(Path p) throws Exception {
        try (InputStream in = Files.newInputStream(p)) {
            return SafeTensors.read(in, p.toString()).tensors();
        }
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @Test
    void stateDictsCrossBetweenKindlingAndPyTorchWithTheSameLogits() throws Exception {
        Prerequisites.require(
                torchAvailable(), "Debian python3-torch (/usr/bin/python3 -c 'import torch')");
        Init.manualSeed(3);
        Tudui net = new Tudui();
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
        write(tmp.resolve("kindling.safetensors"), StateDict.of(net));
        write(tmp.resolve("input.safetensors"), Map.of("input", x));
        Process p =
                new ProcessBuilder(
                                List.of(
                                        "/usr/bin/python3",
                                        SCRIPT.toString(),
                                        "--state",
                                        tmp.resolve("kindling.safetensors").toString(),
                                        "--input",
                                        tmp.resolve("input.safetensors").toString(),
                                        "--out",
                                        tmp.toString()))
                        .redirectErrorStream(true)
                        .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);

        INDArray torchLogits = read(tmp.resolve("torch_logits.safetensors")).get("logits");
        double forward = maxAbsDiff(net.eval().forward(x), torchLogits);
        System.out.println("Kindling state_dict in PyTorch: max |logit difference| = " + forward);
        assertTrue(forward < 1e-5, "max abs logit difference " + forward);

        Tudui fromTorch = new Tudui();
        StateDict.LoadResult r =
                StateDict.load(fromTorch, read(tmp.resolve("torch_state.safetensors")), true);
        assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty());
        INDArray torchFresh = read(tmp.resolve("torch_fresh_logits.safetensors")).get("logits");
        double reverse = maxAbsDiff(fromTorch.eval().forward(x), torchFresh);
        System.out.println("PyTorch state_dict in Kindling: max |logit difference| = " + reverse);
        assertTrue(reverse < 1e-5, "max abs logit difference " + reverse);
    }
}
