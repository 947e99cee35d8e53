package org.kindling.data;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Deterministic worker partitions: every record gets its stable index in the dataset (its position
 * in the files, which Spark reads in a fixed order), record {@code i} goes to partition {@code i %
 * partitions}, and each partition is ordered by index. So the content and order of every partition
 * depend only on the data and the number of partitions, not on which executor computes it or
 * whether Spark recomputes it after losing an executor (a plain {@code repartition} deals records
 * round-robin in the order they arrive, which can change on recomputation).
 */
public final class Partitioning {
    private Partitioning() {}

    /**
     * The records split into {@code partitions} deterministic partitions, keeping only the first
     * {@code limit} records (by index) when {@code limit} is not null; the limit is applied on the
     * executors, before anything downstream sees the other records.
     */
    public static <T> JavaRDD<T> byIndex(JavaRDD<T> records, int partitions, Integer limit) {
        JavaPairRDD<Long, T> indexed = records.zipWithIndex().mapToPair(Tuple2::swap);
        if (limit != null) {
            long n = limit;
            indexed = indexed.filter(t -> t._1() < n);
        }
        return indexed.repartitionAndSortWithinPartitions(new Modulo(partitions)).values();
    }

    /** Index {@code i} goes to partition {@code i % partitions}. */
    static final class Modulo extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;

        Modulo(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException(
                        "partitions must be >= 1 but was: " + partitions);
            }
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (int) Math.floorMod((Long) key, (long) partitions);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Modulo m && m.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return partitions;
        }
    }
}
