package org.kindling.spark.averaging;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.kindling.data.ImageRecord;
import scala.Tuple2;

/**
 * Moves every record to a random partition, seeded by (seed, epoch), so each epoch the workers see
 * different shards. Each record gets a random 64-bit key; keys pick the partition and order the
 * records inside it, so the same seed gives the same shards in the same order whatever order the
 * shuffle delivers them in.
 */
final class Reshuffle {
    private Reshuffle() {}

    static JavaRDD<ImageRecord> of(
            JavaRDD<ImageRecord> records, long seed, int epoch, int partitions) {
        return records.mapPartitionsWithIndex(
                        (p, it) -> {
                            SplittableRandom rnd =
                                    new SplittableRandom(seed * 31 + epoch * 1_000_003L + p);
                            List<Tuple2<Long, ImageRecord>> out = new ArrayList<>();
                            it.forEachRemaining(r -> out.add(new Tuple2<>(rnd.nextLong(), r)));
                            return out.iterator();
                        },
                        false)
                .mapToPair(t -> t)
                .repartitionAndSortWithinPartitions(new HashPartitioner(partitions))
                .values();
    }
}
