/**
 * Spark ML: {@link org.kindling.spark.ml.KindlingClassifier}, an {@code Estimator} that trains a
 * Kindling network with parameter averaging on a DataFrame of images, and {@link
 * org.kindling.spark.ml.KindlingClassificationModel}, the fitted {@code Model} that scores images
 * in parallel. Both work inside a {@code Pipeline} (after a {@code StringIndexer} for string
 * labels) and save and load with it ({@code Pipeline.save}, {@code PipelineModel.load}) on any
 * Hadoop file system.
 *
 * <p>Images come as Kindling's {@link org.kindling.data.ImageFrames} schema (a binary CHW column
 * with height, width and channels columns) or as Spark's image data source ({@code
 * spark.read.format("image")}: a struct of BGR(A) interleaved bytes, converted to RGB CHW).
 */
package org.kindling.spark.ml;
