import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.util.ModelSerializer;
import org.kindling.data.BadInput;
import org.kindling.data.Datasets;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.batch.Batch;
import org.kindling.data.batch.Normalization;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.training.ModelState;
import org.kindling.spark.TrainingConfig;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.TrainingListener;
import org.kindling.spark.io.ModelSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Kindling's parameter averaging against DL4J's own Spark trainer ({@code
 * ParameterAveragingTrainingMaster}, dl4j-spark_2.12 1.0.0-M2), both training the same DL4J
 * network (the course net written with DL4J's builders: 3 x [5x5 conv, pad 2 + 2x2 max pool],
 * dense 64, softmax output 10; 145,578 parameters) from the same parameters on the same CIFAR-10
 * records, with the same k (4), batch per worker (64), SGD lr 0.01 and number of workers, in one
 * Spark local-mode JVM, alternating (each rep starts with the next contender: on a shared machine
 * none is always timed in the same place). DL4J gets its data as an RDD of one-example {@code
 * DataSet}s normalised like Kindling's batches and cached before timing (its documented input);
 * Kindling reads its cached records and builds batches inside the tasks. Times one training epoch (fit);
 * test accuracy of both after it. Each rep also times the ceiling for any trainer that runs
 * DL4J's step: the same learners as Kindling's (its DL4J backend) stepping through the same
 * batches, one thread per worker, without Spark, averaging or batch building. Prints one JSON line.
 *
 * <p>Run: {@code java -cp KINDLING_CP:PEER_CP bench/Dl4jSparkPeer.java --data DIR [--workers 1]
 * [--reps 2] [--limit N]}; {@code bench/run.sh} builds the class path (bench/dl4j-peer/pom.xml).
 */
public class Dl4jSparkPeer {
    public static void main(String[] args) throws Exception {
        // both sides use DL4J's oneDNN helpers (Kindling's DL4J backend turns them on the same way)
        System.setProperty("org.eclipse.deeplearning4j.helpers.disable", "false");
        org.kindling.nn.bench.Options o =
                org.kindling.nn.bench.Options.parse(
                        "Dl4jSparkPeer", args, "--data", "--reps", "--workers", "--limit");
        String data = o.get("--data", System.getenv("KINDLING_DATA"));
        int reps = o.positive("--reps", 2);
        int workers = o.positive("--workers", 1);
        String limit = o.get("--limit", null);
        SparkConf conf =
                new SparkConf()
                        .setAppName("kindling-bench-dl4j")
                        .setMaster("local[*]")
                        .set("spark.ui.enabled", "false");
        Path dir = Files.createTempDirectory("dl4j-peer");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            Path zip = dir.resolve("course-net-dl4j.zip");
            ModelSerializer.writeModel(courseNet(), zip.toFile(), true);
            TrainingConfig.Builder b =
                    TrainingConfig.builder()
                            .model(zip.toString())
                            .epochs(1)
                            .batchSize(64)
                            .averagingFrequency(4)
                            .workers(workers)
                            .threadsPerWorker(Math.max(1, 2 / workers))
                            .lr(0.01)
                            .momentum(0)
                            .seed(42L);
            if (limit != null) b.limit(Integer.parseInt(limit));
            TrainingConfig cfg = b.build();
            Nd4jRuntime.init(cfg.threadsPerWorker());
            ImageDataset full =
                    Datasets.load(
                            sc,
                            new Datasets.Request(
                                    "cifar10",
                                    data,
                                    workers,
                                    cfg.limit(),
                                    0,
                                    3,
                                    BadInput.Policy.FAIL,
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
            ModelState start =
                    ModelSource.open(zip.toString(), new Configuration())
                            .start(
                                    full.imageShape(),
                                    10,
                                    cfg.optimizer(),
                                    cfg.freeze(),
                                    cfg.seed());
            long[] shape = full.imageShape();
            Normalization norm = full.normalization();
            JavaRDD<DataSet> dlTrain =
                    full.train()
                            .map(r -> example(r, shape, norm))
                            .persist(StorageLevel.MEMORY_ONLY());
            JavaRDD<DataSet> dlTest =
                    full.test().map(r -> example(r, shape, norm)).persist(StorageLevel.MEMORY_ONLY());
            long n = dlTrain.count();
            dlTest.count();

            // warm-up (JIT, oneDNN primitives, workspaces), not counted
            new ParameterAveraging(
                            sc, cfg.toBuilder().rounds(20).build(), new TrainingListener() {})
                    .fit(trainOnly, start);
            dl4j(sc, zip, workers, 1)
                    .fit(sc.parallelize(dlTrain.take(20 * 4 * 64 * workers), workers));

            List<List<Batch>> shards = batches(full.train().glom().collect(), shape, norm, 64);
            Plain plainLoop = new Plain(start, workers, cfg.threadsPerWorker());
            List<List<Batch>> few = new ArrayList<>();
            for (List<Batch> s : shards) few.add(s.subList(0, Math.min(s.size(), 20 * 4)));
            plainLoop.time(start, few); // its warm-up, as the others'
            List<Double> kindling = new ArrayList<>();
            List<Double> peer = new ArrayList<>();
            List<Double> plain = new ArrayList<>();
            double kAcc = 0;
            double dAcc = 0;
            for (int r = 1; r <= reps; r++) {
                // the three take turns going first (rep 1: Kindling, DL4J, plain; rep 2: DL4J,
                // plain, Kindling; ...): on a shared machine none is always timed in one place
                double k = 0;
                double d = 0;
                double p = 0;
                for (int i = 0; i < 3; i++) {
                    switch ((r - 1 + i) % 3) {
                        case 0 -> {
                            long t0 = System.nanoTime();
                            ParameterAveraging pa =
                                    new ParameterAveraging(sc, cfg, new TrainingListener() {});
                            ParameterAveraging.Result res = pa.fit(trainOnly, start);
                            k = (System.nanoTime() - t0) / 1e9;
                            kAcc = pa.evaluate(full, res.model());
                        }
                        case 1 -> {
                            SparkDl4jMultiLayer s = dl4j(sc, zip, workers, 42);
                            long t0 = System.nanoTime();
                            s.fit(dlTrain);
                            d = (System.nanoTime() - t0) / 1e9;
                            dAcc = s.evaluate(dlTest).accuracy();
                        }
                        default -> p = plainLoop.time(start, shards);
                    }
                }
                System.err.printf(
                        "rep %d: kindling %.2f s (test acc %.4f), dl4j-spark %.2f s (test acc %.4f),"
                                + " plain DL4J steps %.2f s (%d thread(s))%n",
                        r, k, kAcc, d, dAcc, p, workers);
                kindling.add(k);
                peer.add(d);
                plain.add(p);
            }
            plainLoop.close();
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < kindling.size(); i++) ratios.add(peer.get(i) / kindling.get(i));
            List<Double> ceilings = new ArrayList<>();
            for (int i = 0; i < plain.size(); i++) ceilings.add(peer.get(i) / plain.get(i));
            System.out.printf(
                    "{\"bench\": \"dl4j_spark\", \"workers\": %d, \"images\": %d, \"kindling_s\": %s,"
                            + " \"dl4j_s\": %s, \"ratio_kindling_speed_over_dl4j\": %s,"
                            + " \"median_ratio\": %.3f, \"kindling_test_acc\": %.4f,"
                            + " \"dl4j_test_acc\": %.4f, \"plain_s\": %s, \"ceiling_ratio\": %s,"
                            + " \"median_ceiling_ratio\": %.3f}%n",
                    workers,
                    n,
                    kindling,
                    peer,
                    ratios,
                    median(ratios),
                    kAcc,
                    dAcc,
                    plain,
                    ceilings,
                    median(ceilings));
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0); // whatever threads a library left behind
    }

    /** Each partition's records as batches of {@code size} (the last one may be smaller). */
    static List<List<Batch>> batches(
            List<List<ImageRecord>> partitions, long[] shape, Normalization norm, int size) {
        List<List<Batch>> out = new ArrayList<>();
        for (List<ImageRecord> part : partitions) {
            List<Batch> bs = new ArrayList<>();
            for (int i = 0; i < part.size(); i += size) {
                bs.add(Batch.of(part.subList(i, Math.min(part.size(), i + size)), shape, norm, 10, false));
            }
            out.add(bs);
        }
        return out;
    }

    /**
     * One learner per shard, on a pool of one long-lived thread per worker (as Kindling's learner
     * threads), each stepping once per batch of its shard: DL4J's step as Kindling's backend runs it, with nothing
     * around it.
     */
    static final class Plain implements AutoCloseable {
        private final List<org.kindling.nn.training.Learner> learners = new ArrayList<>();
        private final java.util.concurrent.ExecutorService pool;

        private final int threads;

        Plain(ModelState start, int workers, int threads) {
            this.threads = threads;
            for (int w = 0; w < workers; w++) learners.add(start.learner());
            pool = java.util.concurrent.Executors.newFixedThreadPool(workers);
        }

        /** Seconds for every learner to step through its shard, from {@code start}. */
        double time(ModelState start, List<List<Batch>> shards) throws Exception {
            for (org.kindling.nn.training.Learner l : learners) l.restore(start);
            List<java.util.concurrent.Callable<Void>> work = new ArrayList<>();
            for (int w = 0; w < learners.size(); w++) {
                org.kindling.nn.training.Learner l = learners.get(w);
                List<Batch> mine = shards.get(w);
                work.add(
                        () -> {
                            Nd4jRuntime.init(threads); // OpenMP's count is per thread, as Kindling's
                            for (Batch b : mine) l.step(b.features(), b.labels());
                            return null;
                        });
            }
            long t0 = System.nanoTime();
            for (java.util.concurrent.Future<Void> f : pool.invokeAll(work)) f.get();
            return (System.nanoTime() - t0) / 1e9;
        }

        @Override
        public void close() {
            pool.shutdown();
        }
    }

    /** DL4J's trainer for a fresh copy of the saved network, with the same k, batch and workers. */
    static SparkDl4jMultiLayer dl4j(JavaSparkContext sc, Path zip, int workers, long seed)
            throws Exception {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), true);
        ParameterAveragingTrainingMaster tm =
                new ParameterAveragingTrainingMaster.Builder(workers, 1)
                        .batchSizePerWorker(64)
                        .averagingFrequency(4)
                        .workerPrefetchNumBatches(0)
                        .rddTrainingApproach(RDDTrainingApproach.Direct) // no export files
                        .repartionData(Repartition.Never)
                        .saveUpdater(true)
                        .storageLevel(StorageLevel.MEMORY_ONLY()) // as the data was cached
                        .rngSeed(seed)
                        .build();
        return new SparkDl4jMultiLayer(sc, net, tm);
    }

    /** The course net with DL4J's builders (no activations between layers, as the course's). */
    static MultiLayerNetwork courseNet() {
        MultiLayerConfiguration conf =
                new NeuralNetConfiguration.Builder()
                        .seed(42)
                        .updater(new Sgd(0.01))
                        .weightInit(WeightInit.XAVIER)
                        .list()
                        .layer(conv(32))
                        .layer(pool())
                        .layer(conv(32))
                        .layer(pool())
                        .layer(conv(64))
                        .layer(pool())
                        .layer(new DenseLayer.Builder().nOut(64).activation(Activation.IDENTITY).build())
                        .layer(
                                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                        .nOut(10)
                                        .activation(Activation.SOFTMAX)
                                        .build())
                        .setInputType(InputType.convolutional(32, 32, 3))
                        .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static ConvolutionLayer conv(int out) {
        return new ConvolutionLayer.Builder(5, 5)
                .nOut(out)
                .stride(1, 1)
                .padding(2, 2)
                .activation(Activation.IDENTITY)
                .build();
    }

    static SubsamplingLayer pool() {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(2, 2)
                .stride(2, 2)
                .build();
    }

    /** One example as DL4J wants it: normalised features [1, C, H, W], one-hot label [1, 10]. */
    static DataSet example(ImageRecord r, long[] shape, Normalization norm) {
        Batch b = Batch.of(List.of(r), shape, norm, 10, false);
        return new DataSet(
                b.features(), Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 10).putScalar(0, r.label(), 1f));
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int m = s.size() / 2;
        return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
    }
}
