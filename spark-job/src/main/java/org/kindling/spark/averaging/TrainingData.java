package org.kindling.spark.averaging;

import org.apache.spark.api.java.JavaRDD;
import org.kindling.data.ImageRecord;
import org.kindling.data.batch.Normalization;

/**
 * The data of a run: training and test records, already partitioned as the workers should see them,
 * and how to turn records into mini-batches.
 *
 * @param train training records; one partition per worker
 * @param test test records, or null for no evaluation
 * @param imageShape [C, H, W] of every record
 * @param normalization per-channel normalisation applied inside tasks
 * @param source where the data came from (for provenance)
 */
public record TrainingData(
        JavaRDD<ImageRecord> train,
        JavaRDD<ImageRecord> test,
        long[] imageShape,
        Normalization normalization,
        String source) {}
