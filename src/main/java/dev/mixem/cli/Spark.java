package dev.mixem.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The job's SparkSession: the master comes from spark-submit, or is local[*] when run without one. */
final class Spark {

    private Spark() {
    }

    static SparkSession session(String command) {
        SparkConf conf = new SparkConf();
        SparkSession.Builder b = SparkSession.builder().appName("mixem " + command);
        if (!conf.contains("spark.master")) {
            b.master("local[*]");
        }
        return b.getOrCreate();
    }
}
