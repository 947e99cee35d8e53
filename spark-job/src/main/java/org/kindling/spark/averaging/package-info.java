/**
 * Synchronous parameter averaging: the driver ({@link
 * org.kindling.spark.averaging.ParameterAveraging}), the executors ({@link
 * org.kindling.spark.averaging.Workers}), what they send back ({@link
 * org.kindling.spark.averaging.RoundPiece}: float32 slices of the model and the round's statistics)
 * and how the slices are averaged shard by shard ({@link
 * org.kindling.spark.averaging.ShardedAverage}).
 */
package org.kindling.spark.averaging;
