package org.kindling.spark.ml;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.kindling.data.ImageRecord;
import org.kindling.data.batch.Batch;
import org.kindling.data.batch.Normalization;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.training.Learner;
import org.kindling.nn.training.ModelState;

/**
 * What every scoring task needs (broadcast once per {@code transform}), and the task itself: one
 * {@link Learner} per partition, rows scored in mini-batches, each row extended with raw scores,
 * probabilities and the arg-max class.
 *
 * @param state the fitted model
 * @param normalization applied to pixels scaled to [0, 1], as in training
 * @param column reads the images of the input rows
 * @param batchSize rows per forward pass
 * @param threads ND4J threads per task
 */
record Scoring(
        ModelState state,
        Normalization normalization,
        ImageColumn column,
        int batchSize,
        int threads)
        implements Serializable {

    /** The rows of one partition with rawPrediction, probability and prediction appended. */
    Iterator<Row> score(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return List.<Row>of().iterator();
        }
        Nd4jRuntime.init(threads);
        Learner learner = state.learner();
        long[] shape = state.definition().inputShape();
        List<Row> out = new ArrayList<>();
        List<Row> chunk = new ArrayList<>(batchSize);
        while (rows.hasNext()) {
            chunk.add(rows.next());
            if (chunk.size() == batchSize || !rows.hasNext()) {
                scoreChunk(learner, shape, chunk, out);
                chunk.clear();
            }
        }
        return out.iterator();
    }

    private void scoreChunk(Learner learner, long[] shape, List<Row> chunk, List<Row> out) {
        List<ImageRecord> recs = new ArrayList<>(chunk.size());
        for (Row r : chunk) {
            ImageColumn.Pixels p = column.read(r);
            if (!Arrays.equals(p.shape(), shape)) {
                throw new IllegalArgumentException(
                        "image "
                                + p.origin()
                                + " in featuresCol '"
                                + column.name()
                                + "' has shape "
                                + Arrays.toString(p.shape())
                                + "; the model '"
                                + state.definition().name()
                                + "' expects "
                                + Arrays.toString(shape)
                                + " [C, H, W]");
            }
            recs.add(new ImageRecord(0, p.chw()));
        }
        double[][] raw;
        double[][] prob;
        try (Batch b =
                Batch.of(recs, shape, normalization, state.definition().numClasses(), false)) {
            raw = learner.predict(b.features()).toDoubleMatrix();
            prob = learner.probabilities(b.features()).toDoubleMatrix();
        }
        for (int i = 0; i < chunk.size(); i++) {
            Row r = chunk.get(i);
            Object[] v = new Object[r.size() + 3];
            for (int j = 0; j < r.size(); j++) {
                v[j] = r.get(j);
            }
            v[r.size()] = Vectors.dense(raw[i]);
            v[r.size() + 1] = Vectors.dense(prob[i]);
            v[r.size() + 2] = (double) argMax(raw[i]);
            out.add(RowFactory.create(v));
        }
    }

    private static int argMax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
