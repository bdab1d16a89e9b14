package dev.mixem.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The job's SparkSession: the master comes from spark-submit, or is local[*] when run without one. */
final class Spark {

    private Spark() {
    }

    /** Sessions a command started (and so stops); a session that was running before is left running. */
    private static final java.util.Set<SparkSession> STARTED =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    static SparkSession session(String command) {
        SparkConf conf = new SparkConf();
        SparkSession.Builder b = SparkSession.builder().appName("mixem " + command);
        if (!conf.contains("spark.master")) {
            b.master("local[*]");
        }
        boolean running = SparkSession.getDefaultSession().isDefined();
        SparkSession s = b.getOrCreate();
        if (!running) {
            synchronized (STARTED) {
                STARTED.add(s);
            }
        }
        return s;
    }

    /** Stops the session if {@link #session} started it (an embedding application's session is its own). */
    static void stop(SparkSession s) {
        boolean mine;
        synchronized (STARTED) {
            mine = STARTED.remove(s);
        }
        if (mine) {
            s.stop();
        }
    }
}
