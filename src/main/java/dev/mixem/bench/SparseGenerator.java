package dev.mixem.bench;

import dev.mixem.family.independent.IndependentParams;
import dev.mixem.family.independent.Link;
import dev.mixem.math.Seeds;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Sparse planted mixtures of binary or count features (what {@code generate --format libsvm} writes): d
 * features of which each component has its own {@value #ACTIVE_MAX} (at most d/k) active ones, disjoint
 * between components, with mean μ_a, and every other feature the baseline mean μ_0, so that a row has
 * about Z non-zeros: Z/2 from the active features (μ_a = Z/(2A), at most 0.5) and Z/2 from the baseline
 * (μ_0 = Z/(2d)). Rows are drawn without visiting every feature: the baseline's ones by geometric gaps
 * (Bernoulli) or a Poisson number of uniform positions (Poisson), both skipping the active features, whose
 * values are drawn one by one; so a row costs O(Z + A), and the draws are exactly the mixture's.
 */
public final class SparseGenerator {
    /** Active features per component. */
    static final int ACTIVE_MAX = 100;

    private SparseGenerator() {
    }

    /** The planted sparse mixture: equal weights, k·d means (k·d doubles in memory). */
    public static IndependentParams truth(Link link, int k, int d, double nonZeros, long seed) {
        if (link != Link.BERNOULLI && link != Link.POISSON) {
            throw new IllegalArgumentException("sparse planted mixtures are bernoulli or poisson");
        }
        int active = Math.max(1, Math.min(ACTIVE_MAX, d / k));
        double mu0 = Math.max(1e-9, Math.min(0.5, nonZeros / (2.0 * d)));
        double muA = Math.min(0.5, nonZeros / (2.0 * active));
        int[] order = IntStream.range(0, d).toArray();
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, -2));
        for (int i = d - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double[] means = new double[k * d];
        Arrays.fill(means, mu0);
        for (int c = 0; c < k; c++) {
            for (int a = 0; a < active; a++) {
                means[c * d + order[(c * active + a) % d]] = muA;
            }
        }
        double[] w = new double[k];
        Arrays.fill(w, 1.0 / k);
        return new IndependentParams(link, k, d, w, means);
    }

    /** Rows as (label: the component, features: a sparse vector), partition p seeded by (seed, p). */
    public static Dataset<Row> frame(SparkSession spark, IndependentParams truth, long rows, int partitions,
                                     long seed) {
        int k = truth.k();
        int d = truth.dim();
        Link link = truth.link();
        double[] means = truth.means();
        // Per component: its active features (ascending) and the baseline mean.
        double mu0 = Double.POSITIVE_INFINITY;
        for (double m : means) {
            mu0 = Math.min(mu0, m);
        }
        int[][] active = new int[k][];
        for (int c = 0; c < k; c++) {
            int n = 0;
            for (int j = 0; j < d; j++) {
                n += means[c * d + j] != mu0 ? 1 : 0;
            }
            active[c] = new int[n];
            for (int j = 0, t = 0; j < d; j++) {
                if (means[c * d + j] != mu0) {
                    active[c][t++] = j;
                }
            }
        }
        double base = mu0;
        StructType schema = new StructType().add("label", DataTypes.DoubleType, false)
                .add("features", SQLDataTypes.VectorType(), false);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Row> rdd = jsc.parallelize(IntStream.range(0, partitions).boxed().toList(), partitions)
                .mapPartitionsWithIndex((p, ignored) -> {
                    long count = rows / partitions + (p < rows % partitions ? 1 : 0);
                    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, p));
                    return new Iterator<Row>() {
                        long made = 0;

                        @Override
                        public boolean hasNext() {
                            return made < count;
                        }

                        @Override
                        public Row next() {
                            if (made >= count) {
                                throw new NoSuchElementException();
                            }
                            made++;
                            int c = rng.nextInt(k);
                            int[] act = active[c];
                            java.util.TreeMap<Integer, Double> cells = new java.util.TreeMap<>();
                            if (link == Link.BERNOULLI) {
                                double logq = Math.log1p(-base);
                                long j = -1;
                                while (true) {
                                    j += 1 + (long) Math.floor(Math.log(1 - rng.nextDouble()) / logq);
                                    if (j >= d) {
                                        break;
                                    }
                                    if (Arrays.binarySearch(act, (int) j) < 0) {
                                        cells.put((int) j, 1.0);
                                    }
                                }
                            } else {
                                long n = (long) link.draw(rng, base * d);
                                for (long t = 0; t < n; t++) {
                                    int j = rng.nextInt(d);
                                    if (Arrays.binarySearch(act, j) < 0) {
                                        cells.merge(j, 1.0, Double::sum);
                                    }
                                }
                            }
                            for (int j : act) {
                                double x = link.draw(rng, means[c * d + j]);
                                if (x != 0) {
                                    cells.put(j, x);
                                }
                            }
                            int m = cells.size();
                            int[] ii = new int[m];
                            double[] vv = new double[m];
                            int t = 0;
                            for (var e : cells.entrySet()) {
                                ii[t] = e.getKey();
                                vv[t++] = e.getValue();
                            }
                            return RowFactory.create((double) c, Vectors.sparse(d, ii, vv));
                        }
                    };
                }, true);
        return spark.createDataFrame(rdd, schema);
    }
}
