package dev.mixem;

import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of a test JVM: local[2], UI off, few shuffle partitions, bound to loopback. Never
 * stopped by a test (the JVM's exit ends it), so test classes can share it.
 */
public final class SparkTestSession {
    private static SparkSession session;

    private SparkTestSession() {
    }

    public static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("mixem-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.default.parallelism", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                    .getOrCreate();
            session.sparkContext().setLogLevel("ERROR");
        }
        return session;
    }
}
