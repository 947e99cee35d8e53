package org.kindling.spark.averaging;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.kindling.data.ImageRecord;

/** Test access to the package-private {@link Reshuffle}. */
public final class ReshuffleProbe {
    private ReshuffleProbe() {}

    public static List<List<ImageRecord>> shards(
            JavaRDD<ImageRecord> rdd, long seed, int epoch, int partitions) {
        return Reshuffle.of(rdd, seed, epoch, partitions).glom().collect();
    }
}
