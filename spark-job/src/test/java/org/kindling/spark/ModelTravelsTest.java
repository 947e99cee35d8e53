package org.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;
import org.kindling.data.SharedData;
import org.kindling.data.batch.Batch;
import org.kindling.data.cifar.Cifar10;
import org.kindling.nn.Dropout;
import org.kindling.nn.Flatten;
import org.kindling.nn.Generator;
import org.kindling.nn.Linear;
import org.kindling.nn.Module;
import org.kindling.nn.ReLU;
import org.kindling.nn.Sequential;
import org.kindling.nn.io.ModelArchive;
import org.kindling.nn.io.SafeTensors;
import org.kindling.nn.io.StateDict;
import org.kindling.nn.models.Zoo;
import org.kindling.nn.training.KindlingBackend;
import org.kindling.nn.training.Learner;
import org.kindling.nn.training.ModelDefinition;
import org.kindling.nn.training.ModelState;
import org.kindling.nn.training.OptimizerSpec;
import org.kindling.nn.training.TrainingPosition;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.TrainingListener;
import org.kindling.spark.cli.KindlingCli;
import org.kindling.spark.io.ModelStore;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Any network travels to the executors as a model state: modified zoo models and Dropout too. */
class ModelTravelsTest {
    final JavaSparkContext sc = LocalSpark.context();
    @TempDir Path tmp;

    /**
     * The course's fine-tuning flow, end to end on Spark: a zoo model with pretrained weights, its
     * classifier head replaced, its backbone frozen, trained with 2 workers, saved, loaded and used
     * for prediction.
     */
    @Test
    void theCourseFineTuningFlowRunsOnSparkWithTwoWorkers() throws Exception {
        Path data = SharedData.cifar10().getParent().getParent();
        // "pretrained" weights, as a downloaded state_dict file
        Path pretrained = tmp.resolve("cifarnet-pretrained.safetensors");
        Module source;
        try (Generator.Scope s = Generator.use(new Generator(2024))) {
            source = Zoo.create("cifarnet", 10);
        }
        try (OutputStream out = Files.newOutputStream(pretrained)) {
            SafeTensors.write(StateDict.of(source), Map.of(), out);
        }
        // model = cifarnet(); model.load_state_dict(...); model[8] = new head; freeze backbone
        Sequential model = (Sequential) Zoo.create("cifarnet", 10);
        ModelStore.loadPretrained(model, pretrained.toString(), new Configuration(), true);
        model.set(8, new Sequential(new Linear(64, 32), new ReLU(), new Linear(32, 10)));
        ModelDefinition d =
                KindlingBackend.define(
                        model,
                        "cifarnet+head",
                        Cifar10.IMAGE_SHAPE,
                        10,
                        OptimizerSpec.sgd(0.01),
                        List.of());
        Path start = tmp.resolve("cifarnet-head.kindling");
        ModelStore.saveWhole(
                start.toString(),
                new Configuration(),
                new ModelArchive(KindlingBackend.stateOf(model, d, TrainingPosition.start(0))));

        Path out = tmp.resolve("tuned.kindling");
        int code =
                KindlingCli.run(
                        "train",
                        "--model",
                        start.toString(),
                        "--data",
                        data.toString(),
                        "--limit",
                        "256",
                        "--batch-size",
                        "32",
                        "--workers",
                        "2",
                        "--freeze",
                        "0.",
                        "--freeze",
                        "2.",
                        "--freeze",
                        "4.",
                        "--output",
                        out.toString());
        assertEquals(0, code);

        ModelArchive tuned = ModelStore.loadWhole(out.toString(), new Configuration());
        Module back = tuned.module();
        assertEquals(model.toString(), back.toString(), "the modified architecture travelled");
        assertEquals(List.of("0.", "2.", "4."), tuned.state().definition().frozen());
        for (String frozen : List.of("0.weight", "2.bias", "4.weight")) {
            assertEquals(
                    source.namedParameters().get(frozen).data(),
                    back.namedParameters().get(frozen).data(),
                    frozen + " stayed at its pretrained value");
        }
        assertTrue(
                Fixtures.maxChange(
                                model.namedParameters()
                                        .get("8.2.weight")
                                        .data()
                                        .ravel()
                                        .toFloatVector(),
                                back.namedParameters()
                                        .get("8.2.weight")
                                        .data()
                                        .ravel()
                                        .toFloatVector())
                        > 1e-4,
                "the new head trained");
        // predict with the loaded model
        List<ImageRecord> recs = Fixtures.records(8, 1);
        Batch b = Batch.of(recs, Cifar10.IMAGE_SHAPE, Fixtures.norm(), 10, false);
        INDArray p = tuned.state().learner().probabilities(b.features());
        assertArrayEquals(new long[] {8, 10}, p.shape());
        assertEquals(8.0, p.sumNumber().doubleValue(), 1e-4);
    }

    static ModelDefinition cifarMlpWithDropout() {
        Sequential m =
                new Sequential(
                        new Flatten(),
                        new Linear(3072, 32),
                        new ReLU(),
                        new Dropout(0.5),
                        new Linear(32, 10));
        return KindlingBackend.define(
                m, "mlp+dropout", Cifar10.IMAGE_SHAPE, 10, OptimizerSpec.sgd(0.05), List.of());
    }

    float[] trainWithDropout(long seed) {
        TrainingConfig cfg =
                TrainingConfig.builder()
                        .batchSize(8)
                        .averagingFrequency(2)
                        .workers(2)
                        .lr(0.05)
                        .seed(seed)
                        .threadsPerWorker(1)
                        .epochs(2)
                        .build();
        JavaRDD<ImageRecord> rdd = sc.parallelize(Fixtures.records(64, 4), 2);
        return new ParameterAveraging(sc, cfg, new TrainingListener() {})
                .fit(
                        new ImageDataset(
                                rdd, null, Cifar10.IMAGE_SHAPE, 10, Fixtures.norm(), "fixture"),
                        ModelState.initial(cifarMlpWithDropout(), seed))
                .model()
                .parameters();
    }

    @Test
    void aModelWithDropoutTrainsReproduciblyOnSpark() {
        float[] a = trainWithDropout(3);
        float[] b = trainWithDropout(3);
        assertArrayEquals(a, b, "same seed, same bits");
        assertFalse(Arrays.equals(a, trainWithDropout(4)), "another seed, other bits");
    }

    @Test
    void aSpecJsonFileIsAModel() throws Exception {
        Path spec = tmp.resolve("mlp.json");
        Files.writeString(
                spec,
                org.kindling.nn.io.ModuleSpecs.toJson(
                                new Sequential(new Flatten(), new Linear(3072, 10)))
                        .toString());
        ModelState s =
                org.kindling.spark.io.ModelSource.open(spec.toString(), new Configuration())
                        .start(Cifar10.IMAGE_SHAPE, 10, OptimizerSpec.sgd(0.1), List.of(), 1);
        assertEquals("mlp", s.definition().name());
        assertEquals(3072 * 10 + 10, s.parameters().length);
        Learner l = s.learner();
        assertArrayEquals(s.parameters(), l.parameters());
    }
}
