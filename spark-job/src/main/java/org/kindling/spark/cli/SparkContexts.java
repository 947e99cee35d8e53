package org.kindling.spark.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark context of a command: a running one is reused (a notebook's, a test's) and left
 * running; otherwise one is started ({@code master}, else spark-submit's, else {@code local[*]})
 * and stopped at the end.
 */
final class SparkContexts {
    private SparkContexts() {}

    /** Work that needs a context. */
    @FunctionalInterface
    interface Work<T> {
        T run(JavaSparkContext sc) throws Exception;
    }

    static <T> T with(String appName, String master, Work<T> work) throws Exception {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        long requested = System.currentTimeMillis();
        SparkContext context = SparkContext.getOrCreate(conf);
        boolean owned = context.startTime() >= requested;
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(context);
        try {
            if (owned) {
                sc.setLogLevel("WARN");
            }
            return work.run(sc);
        } finally {
            if (owned) {
                sc.stop();
            }
        }
    }
}
