package org.kindling.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fitted Pipeline (StringIndexer + KindlingClassifier) saved to and loaded from real HDFS. */
class KindlingPipelineHdfsIT {
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

    @Test
    void pipelineSavedToHdfsLoadsAndScoresIdentically() throws Exception {
        Dataset<Row> train = MlFixtures.frame(MlFixtures.records(80, 11)).drop("label");
        Dataset<Row> test = MlFixtures.frame(MlFixtures.records(30, 12)).drop("label");
        PipelineModel fitted =
                new Pipeline()
                        .setStages(
                                new PipelineStage[] {
                                    new StringIndexer()
                                            .setInputCol("class_name")
                                            .setOutputCol("label"),
                                    KindlingClassifierTest.classifier()
                                })
                        .fit(train);
        Dataset<Row> scored = fitted.transform(test);

        String path = root + "/models/pipeline";
        fitted.write().overwrite().save(path);
        FileSystem fs = hdfs.getFileSystem();
        org.apache.hadoop.fs.Path stages = new org.apache.hadoop.fs.Path("/models/pipeline/stages");
        boolean archive = false;
        for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(stages)) {
            archive |=
                    fs.exists(
                            new org.apache.hadoop.fs.Path(st.getPath(), ModelPersistence.ARCHIVE));
        }
        assertTrue(archive, "the network is a Kindling archive on HDFS");

        PipelineModel loaded = PipelineModel.load(path);
        KindlingClassificationModel a = (KindlingClassificationModel) fitted.stages()[1];
        KindlingClassificationModel b = (KindlingClassificationModel) loaded.stages()[1];
        assertArrayEquals(a.state().parameters(), b.state().parameters());
        assertArrayEquals(a.normalization().mean(), b.normalization().mean());
        assertEquals(MlFixtures.outputs(scored), MlFixtures.outputs(loaded.transform(test)));

        KindlingClassificationModel single =
                KindlingClassificationModel.load(stagePath(fs, stages, b.uid()));
        assertEquals(
                MlFixtures.outputs(scored),
                MlFixtures.outputs(
                        new PipelineModel(
                                        "one",
                                        new org.apache.spark.ml.Transformer[] {
                                            loaded.stages()[0], single
                                        })
                                .transform(test)));
    }

    private static String stagePath(FileSystem fs, org.apache.hadoop.fs.Path stages, String uid)
            throws Exception {
        for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(stages)) {
            if (st.getPath().getName().contains(uid)) {
                return st.getPath().toString();
            }
        }
        throw new AssertionError("no stage directory for " + uid + " in " + stages);
    }
}
