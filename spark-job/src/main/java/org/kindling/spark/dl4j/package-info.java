/**
 * The {@code dl4j} model backend: DL4J {@code MultiLayerNetwork}s (from a {@code ModelSerializer}
 * zip or a configuration JSON) trained by Kindling's parameter averaging like Kindling's own
 * modules. DL4J specifics stay in this package.
 */
package org.kindling.spark.dl4j;
