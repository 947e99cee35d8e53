/**
 * Image datasets as Spark RDDs of compact on-heap records ({@link org.kindling.data.ImageRecord})
 * and as DataFrames ({@link org.kindling.data.ImageFrames}); {@link org.kindling.data.Datasets}
 * turns a dataset name into an {@link org.kindling.data.ImageDataset}. Knows Spark and images, not
 * networks.
 */
package org.kindling.data;
