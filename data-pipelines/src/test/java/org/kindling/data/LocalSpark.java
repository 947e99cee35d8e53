package org.kindling.data;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** The one {@code local[2]} Spark context shared by this module's tests. */
public final class LocalSpark {
    private static JavaSparkContext sc;

    private LocalSpark() {}

    /** Starts the context on first use; it stops when the test JVM exits. */
    public static synchronized JavaSparkContext context() {
        if (sc == null) {
            sc =
                    new JavaSparkContext(
                            new SparkConf()
                                    .setMaster("local[2]")
                                    .setAppName("kindling-tests")
                                    .set("spark.ui.enabled", "false")
                                    .set("spark.driver.host", "127.0.0.1"));
            sc.setLogLevel("WARN");
            Runtime.getRuntime().addShutdownHook(new Thread(sc::stop));
        }
        return sc;
    }
}
