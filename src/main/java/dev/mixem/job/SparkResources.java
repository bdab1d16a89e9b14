package dev.mixem.job;

import dev.mixem.data.InputFormat;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.io.IOException;
import java.util.Locale;

/** The memory a Spark application was given, and a cheap estimate of an input's rows, for {@link ResourcePlan}. */
public final class SparkResources {

    private SparkResources() {
    }

    /**
     * Driver heap (this JVM's), {@code spark.driver.maxResultSize}, and the executors: in local mode the
     * driver itself with every task slot; on a cluster {@code spark.executor.memory} and
     * {@code spark.executor.cores} (1 when not set), and the storage memory of the executors registered so
     * far (unknown when none has).
     */
    public static ResourcePlan.Resources of(SparkSession spark) {
        SparkConf conf = spark.sparkContext().getConf();
        long driverHeap = Runtime.getRuntime().maxMemory();
        long maxResult = JavaUtils.byteStringAsBytes(conf.get("spark.driver.maxResultSize", "1g"));
        boolean local = spark.sparkContext().isLocal();
        long storage = 0;
        int executors = 0;
        String driverId = SparkEnv.get() == null ? null : SparkEnv.get().blockManager().blockManagerId().hostPort();
        scala.collection.Iterator<Tuple2<String, Tuple2<Object, Object>>> it =
                spark.sparkContext().getExecutorMemoryStatus().iterator();
        while (it.hasNext()) {
            Tuple2<String, Tuple2<Object, Object>> e = it.next();
            if (local || !e._1().equals(driverId)) {
                storage += (Long) e._2()._1();
                executors++;
            }
        }
        if (local) {
            return new ResourcePlan.Resources(driverHeap, maxResult, driverHeap,
                    spark.sparkContext().defaultParallelism(), storage, true);
        }
        long executorHeap = JavaUtils.byteStringAsBytes(conf.get("spark.executor.memory", "1g"));
        int cores = conf.getInt("spark.executor.cores", 1);
        return new ResourcePlan.Resources(driverHeap, maxResult, executorHeap, cores, executors > 0 ? storage : -1,
                false);
    }

    /**
     * Rows of an input without reading it: Parquet and ORC from their footers (Spark's count reads no column);
     * uncompressed text (CSV, LibSVM, JSON) as its total size over the mean line length of its first 4 MB.
     * -1 when that cannot be told cheaply (compressed text).
     */
    public static long estimateRows(SparkSession spark, org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> frame,
                                    InputFormat format) {
        try {
            if (format == InputFormat.PARQUET || format == InputFormat.ORC) {
                spark.sparkContext().setJobDescription("mixem: count rows from the file footers");
                return frame.count();
            }
            String[] files = frame.inputFiles();
            if (files.length == 0) {
                return -1;
            }
            var hconf = spark.sparkContext().hadoopConfiguration();
            long total = 0;
            for (String f : files) {
                if (f.toLowerCase(Locale.ROOT).matches(".*\\.(gz|bz2|zst|lz4|snappy|deflate|xz|zip)$")) {
                    return -1;
                }
                Path p = new Path(f);
                total += p.getFileSystem(hconf).getFileStatus(p).getLen();
            }
            Path first = new Path(files[0]);
            FileSystem fs = first.getFileSystem(hconf);
            byte[] buf = new byte[4 << 20];
            int n = 0;
            try (FSDataInputStream in = fs.open(first)) {
                int r;
                while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) {
                    n += r;
                }
            }
            long lines = 0;
            int lastNewline = -1;
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    lines++;
                    lastNewline = i;
                }
            }
            if (lines == 0) {
                return n > 0 ? 1 : 0;
            }
            double perLine = (lastNewline + 1.0) / lines;
            return Math.round(total / perLine);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
