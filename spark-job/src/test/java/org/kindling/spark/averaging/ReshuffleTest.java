package org.kindling.spark.averaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.holdenkarau.spark.testing.JavaRDDComparisons;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.kindling.data.ImageRecord;
import org.kindling.data.LocalSpark;

/** {@link Reshuffle} moves records between partitions without losing or duplicating any. */
class ReshuffleTest {
    final JavaSparkContext sc = LocalSpark.context();
    final JavaRDD<ImageRecord> rdd = sc.parallelize(records(300), 3);

    static List<ImageRecord> records(int n) {
        Random rnd = new Random(5);
        List<ImageRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[12];
            rnd.nextBytes(px);
            out.add(new ImageRecord(i % 10, px));
        }
        return out;
    }

    @Test
    void everyRecordIsKeptExactlyOnce() {
        JavaRDD<ImageRecord> moved = Reshuffle.of(rdd, 7, 2, 2);
        assertEquals(2, moved.getNumPartitions());
        JavaRDDComparisons.assertRDDEquals(rdd, moved);
    }

    @Test
    void theSameSeedAndEpochGiveTheSameOrderAndAnotherEpochAnother() {
        JavaRDDComparisons.assertRDDEqualsWithOrder(
                Reshuffle.of(rdd, 7, 2, 2), Reshuffle.of(rdd, 7, 2, 2));
        assertTrue(
                JavaRDDComparisons.compareRDDWithOrder(
                                Reshuffle.of(rdd, 7, 2, 2), Reshuffle.of(rdd, 7, 3, 2))
                        .isDefined(),
                "epoch 3 orders the records differently from epoch 2");
    }

    @Test
    void aDuplicatedRecordIsCaught() {
        List<ImageRecord> dup = new ArrayList<>(records(300));
        dup.set(0, dup.get(1));
        assertThrows(
                AssertionError.class,
                () -> JavaRDDComparisons.assertRDDEquals(rdd, sc.parallelize(dup, 3)));
    }
}
