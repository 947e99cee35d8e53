package org.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kindling.data.ImageDataset;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;
import org.kindling.data.batch.Batch;
import org.kindling.data.cifar.Cifar10;
import org.kindling.nn.Module;
import org.kindling.nn.io.ModelArchive;
import org.kindling.nn.training.Trainer;
import org.kindling.spark.averaging.ParameterAveraging;
import org.kindling.spark.averaging.TrainingListener;
import org.kindling.spark.io.ModelStore;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Train from CIFAR-10 files on a real in-process HDFS, save both ways to hdfs://, load both back.
 */
class HdfsModelStoreIT {
    static MiniDFSCluster hdfs;
    static String root;
    @TempDir static Path base;

    @BeforeAll
    static void startHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(
                MiniDFSCluster.HDFS_MINIDFS_BASEDIR,
                new File(base.toFile(), "hdfs").getAbsolutePath());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        root = hdfs.getURI().toString();
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) hdfs.shutdown();
    }

    static void put(FileSystem fs, String path, byte[] bytes) throws Exception {
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(path))) {
            out.write(bytes);
        }
    }

    @Test
    void trainFromHdfsSaveWholeAndParamsToHdfsAndLoadBothWithIdenticalPredictions()
            throws Exception {
        JavaSparkContext sc = LocalSpark.context();
        FileSystem fs = hdfs.getFileSystem();
        String dir = root + "/datasets/cifar10/" + Cifar10.FOLDER;
        List<ImageRecord> recs = Fixtures.records(50, 1);
        for (String f : Cifar10.Split.TRAIN.files()) {
            put(fs, dir + "/" + f, bytes(Fixtures.records(20, f.hashCode())));
        }
        put(fs, dir + "/test_batch.bin", bytes(recs));
        String found = Cifar10.locate(root + "/datasets", sc.hadoopConfiguration(), false);
        assertEquals(dir, found);

        TrainingConfig cfg =
                TrainingConfig.builder()
                        .batchSize(10)
                        .averagingFrequency(2)
                        .workers(2)
                        .momentum(0.9)
                        .seed(3L)
                        .threadsPerWorker(1)
                        .build();
        JavaRDD<ImageRecord> train = Cifar10.read(sc, found, Cifar10.Split.TRAIN).repartition(2);
        JavaRDD<ImageRecord> test = Cifar10.read(sc, found, Cifar10.Split.TEST);
        ParameterAveraging.Result r =
                new ParameterAveraging(sc, cfg, new TrainingListener() {})
                        .fit(
                                new ImageDataset(
                                        train,
                                        test,
                                        Cifar10.IMAGE_SHAPE,
                                        10,
                                        Fixtures.norm(),
                                        found),
                                Fixtures.start(cfg));

        String whole = root + "/models/run1/model.kindling";
        String params = root + "/models/run1/model.safetensors";
        Configuration conf = sc.hadoopConfiguration();
        ModelStore.saveWhole(whole, conf, new ModelArchive(r.model(), Map.of("data", found)));
        Trainer trained = (Trainer) r.model().learner();
        ModelStore.saveParameters(
                params, conf, trained.model(), Map.of("architecture", "cifarnet"));

        FileStatus[] files = fs.listStatus(new org.apache.hadoop.fs.Path(root + "/models/run1"));
        assertEquals(2, files.length, "no temporary files are left behind");

        ModelArchive loaded = ModelStore.loadWhole(whole, conf);
        Module fromParams = ModelStore.loadParameters(params, conf, "cifarnet", 10);
        Batch b = Batch.of(recs.subList(0, 16), Cifar10.IMAGE_SHAPE, Fixtures.norm(), 10, false);
        INDArray expected = trained.predict(b.features());
        assertEquals(expected, loaded.module().eval().forward(b.features()));
        assertEquals(expected, fromParams.eval().forward(b.features()));
        assertArrayEquals(r.model().optimizerState(), loaded.state().optimizerState());
        assertEquals(found, loaded.info().get("data"));
        assertTrue(fs.getFileStatus(new org.apache.hadoop.fs.Path(params)).getLen() > 145_578 * 4);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "cifarnet",
                "tudui",
                "lenet5",
                "alexnet",
                "vgg11",
                "vgg16",
                "resnet18",
                "resnet34",
                "resnet50",
                "resnet18_cifar"
            })
    void everyZooModelRoundTripsBothWaysOnHdfs(String name) throws Exception {
        Configuration conf = LocalSpark.context().hadoopConfiguration();
        Module m = org.kindling.nn.models.Zoo.create(name, 10);
        long[] s = org.kindling.nn.models.Zoo.inputShape(name);
        long size = Math.min(s[1], 64);
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(3);
        INDArray x =
                org.nd4j.linalg.factory.Nd4j.rand(
                        org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, s[0], size, size);
        m.eval();
        INDArray expected = m.forward(x);
        String whole = root + "/zoo/" + name + ".kindling";
        String params = root + "/zoo/" + name + ".safetensors";
        org.kindling.nn.training.ModelDefinition d =
                org.kindling.nn.training.KindlingBackend.define(
                        m,
                        name,
                        s,
                        10,
                        org.kindling.nn.training.OptimizerSpec.sgd(0.01),
                        List.of());
        ModelStore.saveWhole(
                whole,
                conf,
                new ModelArchive(
                        org.kindling.nn.training.KindlingBackend.stateOf(
                                m, d, org.kindling.nn.training.TrainingPosition.start(0))));
        ModelStore.saveParameters(params, conf, m, Map.of());
        assertEquals(
                expected, ModelStore.loadWhole(whole, conf).module().eval().forward(x), "whole");
        assertEquals(
                expected,
                ModelStore.loadParameters(params, conf, name, 10).eval().forward(x),
                "params");
        hdfs.getFileSystem().delete(new org.apache.hadoop.fs.Path(root + "/zoo"), true);
    }

    static byte[] bytes(List<ImageRecord> recs) {
        byte[] out = new byte[recs.size() * Cifar10.RECORD_BYTES];
        for (int i = 0; i < recs.size(); i++) {
            out[i * Cifar10.RECORD_BYTES] = (byte) recs.get(i).label();
            System.arraycopy(
                    recs.get(i).pixels(),
                    0,
                    out,
                    i * Cifar10.RECORD_BYTES + 1,
                    Cifar10.IMAGE_BYTES);
        }
        return out;
    }
}
