/** The {@code kindling} command line (picocli), also the spark-submit main class. */
package org.kindling.spark.cli;
