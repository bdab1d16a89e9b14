package dev.mixem.data;

import dev.mixem.family.independent.Categories;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The levels of categorical columns, collected once before a fit: one distributed count of (column, level)
 * pairs, with the text of each value as {@link FeatureExtractor} reads it (so fit and predict agree on what a
 * level is). A column with more than {@code maxLevels} levels is an error naming it, or with
 * {@code --invalid skip} keeps its {@code maxLevels} most frequent levels, and the rows with another level
 * are skipped and counted ({@code rareLevel}). Levels are stored in numeric order when every level of the
 * column reads as a number, else in text order.
 */
public final class CategoricalLevels {
    /** The default of --max-levels. */
    public static final int DEFAULT_MAX_LEVELS = 1000;

    private CategoricalLevels() {
    }

    public static Categories discover(Dataset<Row> frame, FeatureExtractor ex, int maxLevels, boolean keepFrequent) {
        List<String> columns = ex.columns();
        int n = columns.size();
        int[] cols = new int[n];
        boolean[] text = new boolean[n];
        for (int v = 0; v < n; v++) {
            cols[v] = ex.column(v);
            text[v] = ex.isText(v);
        }
        frame.sparkSession().sparkContext().setJobDescription("mixem: the levels of " + n + " categorical columns");
        JavaPairRDD<Tuple2<Integer, String>, Long> counts = frame.javaRDD().flatMapToPair(row -> {
            List<Tuple2<Tuple2<Integer, String>, Long>> out = new ArrayList<>(n);
            for (int v = 0; v < n; v++) {
                String level = FeatureExtractor.levelOf(row, cols[v], text[v]);
                if (level != null) {
                    out.add(new Tuple2<>(new Tuple2<>(v, level), 1L));
                }
            }
            return out.iterator();
        }).reduceByKey(Long::sum).cache();
        try {
            Map<Integer, Long> distinct = counts.keys().map(Tuple2::_1).countByValue();
            List<List<String>> levels = new ArrayList<>();
            boolean[] small = new boolean[n];
            for (int v = 0; v < n; v++) {
                long c = distinct.getOrDefault(v, 0L);
                if (c == 0) {
                    throw new InvalidInputException("categorical column '" + columns.get(v) + "' has no value");
                }
                if (c > maxLevels && !keepFrequent) {
                    throw new InvalidInputException("categorical column '" + columns.get(v) + "' has " + c
                            + " levels, more than --max-levels " + maxLevels + " (an id or a number column?);"
                            + " leave it out with --feature-cols, raise --max-levels, or with --invalid skip keep"
                            + " its most frequent levels and skip the rows with others");
                }
                if (c <= maxLevels) {
                    small[v] = true;
                }
                levels.add(null);
            }
            for (Tuple2<Tuple2<Integer, String>, Long> t : counts.filter(t -> small[t._1()._1()]).collect()) {
                int v = t._1()._1();
                if (levels.get(v) == null) {
                    levels.set(v, new ArrayList<>());
                }
                levels.get(v).add(t._1()._2());
            }
            for (int v = 0; v < n; v++) {
                if (levels.get(v) == null) {
                    int column = v;
                    // The most frequent levels, ties by text, whatever the partitioning.
                    List<Tuple2<Tuple2<Integer, String>, Long>> top = counts.filter(t -> t._1()._1() == column)
                            .takeOrdered(maxLevels, new ByFrequency());
                    List<String> kept = new ArrayList<>();
                    top.forEach(t -> kept.add(t._1()._2()));
                    levels.set(v, kept);
                }
                levels.set(v, ordered(levels.get(v)));
            }
            return new Categories(columns, levels);
        } finally {
            counts.unpersist(false);
        }
    }

    /** Numeric order when every level reads as a number, else text order. */
    static List<String> ordered(List<String> levels) {
        List<String> out = new ArrayList<>(levels);
        boolean numeric = out.stream().allMatch(CategoricalLevels::isNumber);
        out.sort(numeric ? Comparator.<String>comparingDouble(Double::parseDouble).thenComparing(Comparator.naturalOrder())
                : Comparator.naturalOrder());
        return out;
    }

    private static boolean isNumber(String s) {
        try {
            return Double.isFinite(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Higher count first, then text. */
    private static final class ByFrequency implements Comparator<Tuple2<Tuple2<Integer, String>, Long>>, java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Tuple2<Tuple2<Integer, String>, Long> a, Tuple2<Tuple2<Integer, String>, Long> b) {
            int byCount = Long.compare(b._2(), a._2());
            return byCount != 0 ? byCount : a._1()._2().compareTo(b._1()._2());
        }
    }
}
