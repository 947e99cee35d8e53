/**
 * Using a trained model: loading any saved format ({@link org.kindling.spark.eval.SavedModel}),
 * distributed evaluation with a confusion matrix ({@link org.kindling.spark.eval.Evaluation}) and
 * distributed prediction on image files ({@link org.kindling.spark.eval.Predictions}).
 */
package org.kindling.spark.eval;
