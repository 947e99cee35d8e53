package org.kindling.nn.bench;

import java.util.Arrays;
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
 * Training and inference throughput of the course network (or another zoo model) on one worker,
 * with the protocol of {@code ../shared/reference/pytorch/bench_train.py}: synthetic float32
 * batches (a pool of 8, cycled), CrossEntropyLoss, SGD(lr=0.01); 10 warm-up iterations, then {@code
 * runs} timed runs of {@code iters} iterations; prints one JSON line with the median images/s. Run
 * it next to the PyTorch peer with {@code bench/train_vs_pytorch.sh}.
 *
 * <p>Arguments: {@code [--threads 2] [--batch 64] [--iters 50] [--runs 5] [--warmup 10] [--model
 * cifarnet]} (any zoo name; synthetic inputs of its image shape).
 */
public final class TrainBenchmark {
    private TrainBenchmark() {}

    public static void main(String[] args) {
        Options o =
                Options.parse(
                        "TrainBenchmark",
                        args,
                        "--threads",
                        "--batch",
                        "--iters",
                        "--runs",
                        "--warmup",
                        "--model");
        int threads = o.positive("--threads", 2);
        int batch = o.positive("--batch", 64);
        int iters = o.positive("--iters", 50);
        int runs = o.positive("--runs", 5);
        int warmup = o.positive("--warmup", 10);
        Nd4jRuntime.init(threads);
        String model = o.get("--model", "cifarnet");
        long[] image = Zoo.inputShape(model);
        Init.manualSeed(0);
        Module net = Zoo.create(model, 10);
        Trainer t = new Trainer(net, image, new CrossEntropyLoss(), new SGD(net, 0.01));
        Nd4j.getRandom().setSeed(0);
        INDArray[] xs = new INDArray[8];
        INDArray[] ys = new INDArray[8];
        for (int i = 0; i < 8; i++) {
            xs[i] = Nd4j.randn(DataType.FLOAT, batch, image[0], image[1], image[2]);
            long[] labels = new long[batch];
            for (int j = 0; j < batch; j++) labels[j] = (i * 7 + j * 3) % 10;
            ys[i] = Nd4j.createFromArray(labels);
        }
        for (int i = 0; i < warmup; i++) t.step(xs[i % 8], ys[i % 8]);
        double[] train = new double[runs];
        for (int r = 0; r < runs; r++) {
            long s = System.nanoTime();
            for (int i = 0; i < iters; i++) t.step(xs[i % 8], ys[i % 8]);
            train[r] = (double) batch * iters / ((System.nanoTime() - s) / 1e9);
        }
        for (int i = 0; i < warmup; i++) t.predict(xs[i % 8]);
        double[] infer = new double[runs];
        for (int r = 0; r < runs; r++) {
            long s = System.nanoTime();
            for (int i = 0; i < iters; i++) t.predict(xs[i % 8]);
            infer[r] = (double) batch * iters / ((System.nanoTime() - s) / 1e9);
        }
        System.out.printf(
                "{\"impl\": \"kindling\", \"threads\": %d, \"batch\": %d, \"train_img_s_median\": %.1f, \"train_img_s_all\": %s, \"infer_img_s_median\": %.1f, \"infer_img_s_all\": %s, \"backend\": \"%s\"}%n",
                threads,
                batch,
                median(train),
                fmt(train),
                median(infer),
                fmt(infer),
                Nd4jRuntime.describe().replace('"', '\''));
    }

    private static String fmt(double[] v) {
        return Arrays.toString(Arrays.stream(v).map(x -> Math.round(x)).toArray());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
