package dev.mixem.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.config.CovarianceType;
import dev.mixem.family.MixtureFamily;
import dev.mixem.family.MixtureParams;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.gaussian.SyntheticMixture;
import dev.mixem.math.RowBlock;
import dev.mixem.math.Seeds;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Synthetic Gaussian-mixture data made on the executors, so it can be as large as the cluster holds. Row r
 * of partition p comes from a generator seeded by (seed, p): the same data for the same arguments, whether
 * written to files ({@link #frame}) or kept in memory as blocks ({@link #blocks}).
 */
public final class Generator {

    private Generator() {
    }

    /** The true mixture: random full covariances (see {@link SyntheticMixture}). */
    public static GaussianParams truth(int k, int d, double separation, long seed) {
        return truth(CovarianceType.FULL, k, d, separation, seed);
    }

    /** The true mixture with covariances of the given type. */
    public static GaussianParams truth(CovarianceType type, int k, int d, double separation, long seed) {
        return truth(type, 0, k, d, separation, seed);
    }

    /** The true mixture of any structure (q factors for factor). */
    public static GaussianParams truth(CovarianceType type, int q, int k, int d, double separation, long seed) {
        return SyntheticMixture.random(type, q, k, d, separation, Seeds.mix(seed, -1));
    }

    public static Dataset<Row> frame(SparkSession spark, GaussianParams truth, long rows, int partitions, long seed) {
        return frame(spark, truth, rows, partitions, seed, 0.0);
    }

    /**
     * The rows of {@link #frame(SparkSession, GaussianParams, long, int, long)} with each cell null with
     * probability {@code missingFraction}, decided by a hash of (seed, partition, row, column): missing
     * completely at random.
     */
    public static Dataset<Row> frame(SparkSession spark, MixtureParams truth, long rows, int partitions, long seed,
                                     double missingFraction) {
        int d = truth.dim();
        // Binary and count features are written as integers; categorical variables as their levels' text.
        // Counts and 0/1 features are written as integers; real ones (Gaussian, Student-t) as doubles.
        boolean integral = dev.mixem.config.Family.parse(truth.family().name()).domain()
                != dev.mixem.config.Family.Domain.REAL;
        dev.mixem.family.independent.Categories cat = truth instanceof dev.mixem.family.independent.IndependentParams ip
                ? ip.categories() : null;
        List<StructField> fields = new ArrayList<>();
        if (cat != null) {
            for (String v : cat.variables()) {
                fields.add(DataTypes.createStructField(v, DataTypes.StringType, missingFraction > 0));
            }
        } else {
            for (int j = 0; j < d; j++) {
                fields.add(DataTypes.createStructField("x" + j, integral ? DataTypes.LongType : DataTypes.DoubleType,
                        missingFraction > 0));
            }
        }
        StructType schema = DataTypes.createStructType(fields);
        JavaRDD<Row> rdd = partitionIndices(spark, partitions).mapPartitionsWithIndex((p, ignored) -> {
            Iterator<double[]> it = rowsOfPartition(truth, rows, partitions, p, seed);
            long holeSeed = Seeds.mix(seed, p, 0x4D495353L);
            return new Iterator<Row>() {
                long row = 0;

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Row next() {
                    double[] x = it.next();
                    if (cat != null) {
                        Object[] o = new Object[cat.variableCount()];
                        for (int v = 0; v < o.length; v++) {
                            boolean hole = missingFraction > 0 && Seeds.uniform(holeSeed, row, v) < missingFraction;
                            int off = cat.offset(v);
                            int level = 0;
                            while (x[off + level] == 0) {
                                level++;
                            }
                            o[v] = hole ? null : cat.level(v, level);
                        }
                        row++;
                        return RowFactory.create(o);
                    }
                    Object[] o = new Object[x.length];
                    for (int j = 0; j < x.length; j++) {
                        boolean hole = missingFraction > 0 && Seeds.uniform(holeSeed, row, j) < missingFraction;
                        o[j] = hole ? null : integral ? (Object) (long) x[j] : (Object) x[j];
                    }
                    row++;
                    return RowFactory.create(o);
                }
            };
        }, true);
        return spark.createDataFrame(rdd, schema);
    }

    /** The same rows as {@link #frame}, as blocks of at most {@code blockRows} rows. */
    public static JavaRDD<RowBlock> blocks(SparkSession spark, MixtureParams truth, long rows, int partitions,
                                           long seed, int blockRows) {
        return partitionIndices(spark, partitions).mapPartitionsWithIndex((p, ignored) -> {
            Iterator<double[]> it = rowsOfPartition(truth, rows, partitions, p, seed);
            List<RowBlock> out = new ArrayList<>();
            long first = 0;
            while (it.hasNext()) {
                List<double[]> chunk = new ArrayList<>(blockRows);
                while (chunk.size() < blockRows && it.hasNext()) {
                    chunk.add(it.next());
                }
                out.add(RowBlock.ofRows(chunk.toArray(new double[0][]), null, first));
                first += chunk.size();
            }
            return out.iterator();
        }, true);
    }

    private static JavaRDD<Integer> partitionIndices(SparkSession spark, int partitions) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return jsc.parallelize(IntStream.range(0, partitions).boxed().toList(), partitions);
    }

    private static Iterator<double[]> rowsOfPartition(MixtureParams truth, long rows, int partitions, int p, long seed) {
        long count = rows / partitions + (p < rows % partitions ? 1 : 0);
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, p));
        MixtureFamily.RowSampler sampler = sampler(truth.family(), truth);
        int d = truth.dim();
        return new Iterator<>() {
            long made = 0;

            @Override
            public boolean hasNext() {
                return made < count;
            }

            @Override
            public double[] next() {
                if (made >= count) {
                    throw new NoSuchElementException();
                }
                double[] x = new double[d];
                sampler.draw(rng, x);
                made++;
                return x;
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static <P extends MixtureParams> MixtureFamily.RowSampler sampler(MixtureFamily<P, ?> family,
                                                                        MixtureParams truth) {
        return family.sampler((P) truth);
    }

    /** The true mixture of a family other than Gaussian ({@link MixtureFamily#planted}). */
    public static MixtureParams truth(MixtureFamily<?, ?> family, int k, int d, double separation, long seed) {
        return family.planted(k, d, separation, Seeds.mix(seed, -1));
    }

    /**
     * The truth of any family as JSON: its family, k, dimension, rows, separation and seed, then the parameters as
     * model.json's {@code params} holds them (for Gaussian, {@link #truthJson(GaussianParams, long, double, long)}).
     */
    public static String truthJson(MixtureParams truth, long rows, double separation, long seed) {
        if (truth instanceof GaussianParams g) {
            return truthJson(g, rows, separation, seed);
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("family", truth.family().name());
        root.put("rows", rows);
        root.put("separation", separation);
        root.put("seed", seed);
        dev.mixem.family.registry.Families.codecOf(truth).write(truth, root);
        try {
            return json.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The truth as JSON: k, dimension, the covariance structure, weights, means, every component's
     * covariance as a full matrix, and how it was made.
     */
    public static String truthJson(GaussianParams truth, long rows, double separation, long seed) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        int k = truth.k();
        int d = truth.dim();
        root.put("k", k);
        root.put("dimension", d);
        root.put("covarianceType", truth.type().serializedName());
        root.put("rows", rows);
        root.put("separation", separation);
        root.put("seed", seed);
        ArrayNode w = root.putArray("weights");
        for (int c = 0; c < k; c++) {
            w.add(truth.weight(c));
        }
        if (truth.factors() > 0) {
            // Factor: the loadings and uniquenesses as model.json holds them, never the d x d covariances.
            root.put("factors", truth.factors());
            ObjectNode params = root.objectNode();
            dev.mixem.family.gaussian.GaussianCodec.INSTANCE.write(truth, params);
            root.set("uniquenesses", params.get("uniquenesses"));
            root.set("loadings", params.get("loadings"));
        }
        ArrayNode means = root.putArray("means");
        ArrayNode covs = truth.factors() > 0 ? null : root.putArray("covariances");
        for (int c = 0; c < k; c++) {
            ArrayNode m = means.addArray();
            for (double v : truth.mean(c)) {
                m.add(v);
            }
            if (covs == null) {
                continue;
            }
            double[] cov = truth.covarianceMatrix(c);
            ArrayNode cm = covs.addArray();
            for (int i = 0; i < d; i++) {
                ArrayNode row = cm.addArray();
                for (int j = 0; j < d; j++) {
                    row.add(cov[i + j * d]);
                }
            }
        }
        try {
            return json.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
