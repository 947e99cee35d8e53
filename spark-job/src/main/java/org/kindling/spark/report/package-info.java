/**
 * What a training run leaves next to its model: metrics as JSON lines ({@link
 * org.kindling.spark.report.MetricsLog}) and a self-contained HTML report ({@link
 * org.kindling.spark.report.HtmlReport}).
 */
package org.kindling.spark.report;
