/**
 * Synchronous parameter averaging: the driver ({@link
 * org.kindling.spark.averaging.ParameterAveraging}), the executors ({@link
 * org.kindling.spark.averaging.Workers}) and what they send back ({@link
 * org.kindling.spark.averaging.RoundResult}).
 */
package org.kindling.spark.averaging;
