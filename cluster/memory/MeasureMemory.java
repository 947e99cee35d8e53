import java.nio.file.Files;
import java.nio.file.Paths;
import org.bytedeco.javacpp.Pointer;
import org.kindling.nn.Init;
import org.kindling.nn.Module;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.loss.CrossEntropyLoss;
import org.kindling.nn.models.Zoo;
import org.kindling.nn.optim.SGD;
import org.kindling.nn.training.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Memory of one Kindling worker training MODEL at batch BATCH on the CPU backend (what an executor
 * task holds): peak resident set (VmHWM) and Java heap after 3 training steps of SGD with momentum.
 * Run by measure-memory.sh, one JVM per (model, batch). Prints one tab-separated line.
 */
public class MeasureMemory {
    public static void main(String[] args) throws Exception {
        String name = args[0];
        int batch = Integer.parseInt(args[1]);
        Nd4jRuntime.init(Runtime.getRuntime().availableProcessors());
        long baseline = status("VmRSS");
        Init.manualSeed(0);
        Module net = Zoo.create(name, 10);
        long[] shape = Zoo.inputShape(name);
        Trainer t = new Trainer(net, shape, new CrossEntropyLoss(), new SGD(net, 0.01).momentum(0.9));
        INDArray x = Nd4j.randn(DataType.FLOAT, batch, shape[0], shape[1], shape[2]);
        long[] labels = new long[batch];
        for (int j = 0; j < batch; j++) labels[j] = j % 10;
        INDArray y = Nd4j.createFromArray(labels);
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) t.step(x, y);
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.printf(
                "%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f/%.0f%n",
                name,
                batch,
                t.numParameters(),
                baseline / 1048576.0,
                status("VmHWM") / 1048576.0,
                rt.totalMemory() / 1048576.0,
                (rt.totalMemory() - rt.freeMemory()) / 1048576.0,
                Pointer.totalBytes() / 1048576.0,
                (System.nanoTime() - start) / 3e9,
                Pointer.maxBytes() / 1048576.0,
                Pointer.maxPhysicalBytes() / 1048576.0);
    }

    /** A /proc/self/status field in bytes. */
    private static long status(String field) throws Exception {
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/self/status");
    }
}
