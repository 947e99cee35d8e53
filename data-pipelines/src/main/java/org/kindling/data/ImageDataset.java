package org.kindling.data;

import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.kindling.data.batch.Normalization;
import org.kindling.data.transforms.Transform;

/**
 * A labelled image dataset ready for training: training and test records (the training RDD
 * partitioned as the workers should see it), the shape of every image, the number of classes and
 * the per-channel normalisation that turns records into mini-batches inside tasks.
 *
 * @param train training records; one partition per worker
 * @param test test records, or null for no evaluation
 * @param imageShape [C, H, W] of every record
 * @param numClasses labels are 0..numClasses-1
 * @param normalization applied to pixels scaled to [0, 1]
 * @param source where the data came from (for logs and provenance)
 * @param trainTransform random augmentation applied to training records inside tasks (seeded per
 *     epoch and partition), or null; it must keep the image shape
 * @param decoder turns stored records into pixels per mini-batch inside tasks (records cached as
 *     encoded image files), or null when records already hold CHW pixels
 */
public record ImageDataset(
        JavaRDD<ImageRecord> train,
        JavaRDD<ImageRecord> test,
        long[] imageShape,
        int numClasses,
        Normalization normalization,
        String source,
        Transform trainTransform,
        RecordDecoder decoder) {

    /** Validates shape, class count and normalisation channels. */
    public ImageDataset {
        if (imageShape.length != 3 || Arrays.stream(imageShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException(
                    "imageShape must be [C, H, W] with positive sizes but was "
                            + Arrays.toString(imageShape));
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1 but was: " + numClasses);
        }
        if (trainTransform != null
                && !Arrays.equals(trainTransform.outputShape(imageShape), imageShape)) {
            throw new IllegalArgumentException(
                    trainTransform
                            + " changes the image shape "
                            + Arrays.toString(imageShape)
                            + " to "
                            + Arrays.toString(trainTransform.outputShape(imageShape))
                            + "; training transforms must keep it (resize when reading the data)");
        }
        if (normalization.channels() != imageShape[0]) {
            throw new IllegalArgumentException(
                    normalization
                            + " has "
                            + normalization.channels()
                            + " channels but images have "
                            + imageShape[0]);
        }
    }

    /** A dataset of pixel records. */
    public ImageDataset(
            JavaRDD<ImageRecord> train,
            JavaRDD<ImageRecord> test,
            long[] imageShape,
            int numClasses,
            Normalization normalization,
            String source,
            Transform trainTransform) {
        this(train, test, imageShape, numClasses, normalization, source, trainTransform, null);
    }

    /** A dataset without training transforms. */
    public ImageDataset(
            JavaRDD<ImageRecord> train,
            JavaRDD<ImageRecord> test,
            long[] imageShape,
            int numClasses,
            Normalization normalization,
            String source) {
        this(train, test, imageShape, numClasses, normalization, source, null, null);
    }

    /** The same dataset with a training augmentation. */
    public ImageDataset withTrainTransform(Transform t) {
        return new ImageDataset(
                train, test, imageShape, numClasses, normalization, source, t, decoder);
    }

    /** Records as a mini-batch needs them: decoded if the dataset stores encoded images. */
    public ImageRecord pixels(ImageRecord stored) {
        return decoder == null ? stored : decoder.decode(stored);
    }
}
