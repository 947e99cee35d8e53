import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.kindling.data.Datasets;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.batch.Batch;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.training.Learner;
import org.kindling.nn.training.ModelState;
import org.kindling.spark.TrainingConfig;
import org.kindling.spark.averaging.EpochPlan;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.TrainingListener;
import org.kindling.spark.io.ModelSource;

/**
 * Spark overhead of parameter averaging: one epoch of the README's main job (cifarnet, batch 64,
 * SGD lr 0.01, k = 4, 1 worker, 2 threads) trained by {@link ParameterAveraging} in Spark local
 * mode, against the same nn-core learner looping over the same records in the same order
 * ({@link EpochPlan}, {@link Batch#of}) without Spark. Averaging runs with the default exchange
 * ({@code --exchange auto}: for one worker, segments of rounds without a Spark job per round) and,
 * for comparison, with {@code --exchange shuffle} (one Spark job per round). All start from the
 * same state; the contenders alternate, {@code --reps} times each, each rep starting with the next
 * one. Training only (no test evaluation), after an untimed warm-up of 20 rounds of each. Each
 * plain epoch runs on a new thread, as each {@code fit} trains on a new learner thread. Prints one
 * JSON line.
 *
 * <p>Run (single-file source launch): {@code java -cp CLASSPATH bench/SparkOverhead.java --data
 * DIR [--reps 3] [--limit N]}; {@code bench/run.sh} does this.
 */
public class SparkOverhead {
    public static void main(String[] args) {
        org.kindling.nn.bench.Options o =
                org.kindling.nn.bench.Options.parse(
                        "SparkOverhead", args, "--data", "--reps", "--limit");
        String data = o.get("--data", System.getenv("KINDLING_DATA"));
        int reps = o.positive("--reps", 3);
        String limit = o.get("--limit", null);
        SparkConf conf =
                new SparkConf()
                        .setAppName("kindling-bench")
                        .setMaster("local[*]")
                        .set("spark.ui.enabled", "false");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            TrainingConfig.Builder b =
                    TrainingConfig.builder()
                            .model("cifarnet")
                            .epochs(1)
                            .batchSize(64)
                            .averagingFrequency(4)
                            .workers(1)
                            .threadsPerWorker(2)
                            .lr(0.01)
                            .seed(42L);
            if (limit != null) b.limit(Integer.parseInt(limit));
            TrainingConfig cfg = b.build();
            Nd4jRuntime.init(2);
            ImageDataset full =
                    Datasets.load(
                            sc,
                            new Datasets.Request(
                                    "cifar10",
                                    data,
                                    1,
                                    cfg.limit(),
                                    0,
                                    3,
                                    org.kindling.data.BadInput.Policy.FAIL,
                                    null,
                                    0.2,
                                    cfg.seed()));
            ImageDataset trainOnly =
                    new ImageDataset(
                            full.train(),
                            null,
                            full.imageShape(),
                            full.numClasses(),
                            full.normalization(),
                            full.source());
            List<ImageRecord> recs = full.train().collect(); // partition 0, in partition order
            ModelState start =
                    ModelSource.open("cifarnet", new Configuration())
                            .start(
                                    full.imageShape(),
                                    10,
                                    cfg.optimizer(),
                                    cfg.freeze(),
                                    cfg.seed());
            List<Double> plain = new ArrayList<>();
            List<Double> spark = new ArrayList<>();
            List<Double> shuffle = new ArrayList<>();
            double[] lastLoss = new double[3];
            TrainingConfig perRound = cfg.toBuilder().exchange("shuffle").build();
            // warm-up (JIT, oneDNN primitives, workspaces): 20 rounds of each, not counted
            TrainingConfig warm = cfg.toBuilder().rounds(20).build();
            plainEpoch(start, recs.subList(0, Math.min(recs.size(), 80 * 64)), full, cfg);
            new ParameterAveraging(sc, warm, new TrainingListener() {}).fit(trainOnly, start);
            new ParameterAveraging(
                            sc,
                            perRound.toBuilder().rounds(20).build(),
                            new TrainingListener() {})
                    .fit(trainOnly, start);
            // one epoch of averaging from the start state: its mean training loss
            java.util.function.ToDoubleFunction<TrainingConfig> averaged =
                    c ->
                            new ParameterAveraging(sc, c, new TrainingListener() {})
                                    .fit(trainOnly, start)
                                    .epochLoss()
                                    .get(0);
            for (int r = 1; r <= reps; r++) {
                // the three take turns going first (rep 1: plain, averaging, one job per round;
                // rep 2: averaging, ...): on a shared machine none is always timed in one place
                double p = 0;
                double s = 0;
                double q = 0;
                for (int i = 0; i < 3; i++) {
                    long t0 = System.nanoTime();
                    switch ((r - 1 + i) % 3) {
                        case 0 -> {
                            lastLoss[0] = plainEpoch(start, recs, full, cfg);
                            p = (System.nanoTime() - t0) / 1e9;
                        }
                        case 1 -> {
                            lastLoss[1] = averaged.applyAsDouble(cfg);
                            s = (System.nanoTime() - t0) / 1e9;
                        }
                        default -> {
                            lastLoss[2] = averaged.applyAsDouble(perRound);
                            q = (System.nanoTime() - t0) / 1e9;
                        }
                    }
                }
                System.err.printf(
                        "rep %d: plain %.2f s, spark %.2f s, spark per-round jobs %.2f s (mean loss"
                                + " %.5f vs %.5f vs %.5f)%n",
                        r, p, s, q, lastLoss[0], lastLoss[1], lastLoss[2]);
                plain.add(p);
                spark.add(s);
                shuffle.add(q);
            }
            List<Double> ratios = new ArrayList<>();
            List<Double> shuffleRatios = new ArrayList<>();
            for (int i = 0; i < plain.size(); i++) {
                ratios.add(plain.get(i) / spark.get(i));
                shuffleRatios.add(plain.get(i) / shuffle.get(i));
            }
            System.out.printf(
                    "{\"bench\": \"spark_overhead\", \"images\": %d, \"plain_s\": %s, \"spark_s\": %s,"
                            + " \"ratio_spark_speed_over_plain\": %s, \"median_ratio\": %.3f,"
                            + " \"shuffle_s\": %s, \"ratio_shuffle_speed_over_plain\": %s,"
                            + " \"plain_loss\": %.5f, \"spark_loss\": %.5f, \"shuffle_loss\": %.5f}%n",
                    recs.size(),
                    plain,
                    spark,
                    ratios,
                    median(ratios),
                    shuffle,
                    shuffleRatios,
                    lastLoss[0],
                    lastLoss[1],
                    lastLoss[2]);
        }
        System.exit(0); // whatever threads a library left behind
    }

    /**
     * One epoch of the learner over the records, in the order the Spark worker uses; mean loss. It
     * runs on a thread of its own that ends with it, as each {@code fit} trains on a new learner
     * thread: both start with a new step workspace and OpenMP team, and neither reuses the other's
     * warm memory.
     */
    static double plainEpoch(
            ModelState start, List<ImageRecord> recs, ImageDataset d, TrainingConfig cfg) {
        double[] loss = {Double.NaN};
        RuntimeException[] failed = {null};
        Thread th =
                new Thread(
                        () -> {
                            try {
                                loss[0] = plainLoop(start, recs, d, cfg);
                            } catch (RuntimeException e) {
                                failed[0] = e;
                            } finally {
                                Nd4jRuntime.releaseWorkspaces(); // as a learner thread ends
                            }
                        },
                        "plain-learner");
        th.start();
        try {
            th.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        return loss[0];
    }

    private static double plainLoop(
            ModelState start, List<ImageRecord> recs, ImageDataset d, TrainingConfig cfg) {
        Learner t = start.learner();
        double loss = 0;
        List<int[]> plan = EpochPlan.batches(recs.size(), cfg.batchSize(), cfg.seed(), 1, 0);
        List<ImageRecord> chosen = new ArrayList<>(cfg.batchSize());
        for (int[] idx : plan) {
            chosen.clear();
            for (int i : idx) chosen.add(recs.get(i));
            try (Batch batch = Batch.of(chosen, d.imageShape(), d.normalization(), 10, false)) {
                loss += t.step(batch.features(), batch.labels());
            }
        }
        return loss / plan.size();
    }

    static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

}
