package dev.mixem.data;

import dev.mixem.config.InvalidPolicy;
import dev.mixem.config.MissingPolicy;
import dev.mixem.source.BlockPass;
import dev.mixem.source.BlockSource;
import dev.mixem.math.RowBlock;
import dev.mixem.math.Seeds;
import dev.mixem.stats.Mergeable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Rows cached on a Spark cluster as {@link RowBlock}s (MEMORY_AND_DISK), with the passes the fitters need.
 * Each pass broadcasts what it needs, computes one statistic per partition, merges them in partition order
 * ({@link DeterministicReduce}) and destroys the broadcast. Results travel through the job's return value,
 * never through accumulators.
 */
public final class SparkBlockSource implements BlockSource, dev.mixem.init.KMeansParallel, AutoCloseable {
    private final SparkSession spark;
    private final JavaRDD<RowBlock> blocks;
    private final int dim;
    private final long rows;
    private final double totalWeight;
    private final long[] offsets;
    private final double[] maxAbs;
    private final long[] skipped;
    private final long missingCells;
    private final long rowsWithMissing;
    private final double[] observedSum;
    private final double[] observedWeight;
    /** Whether the blocks are sparse (rows kept without their zeros). */
    private final boolean sparse;

    private SparkBlockSource(SparkSession spark, JavaRDD<RowBlock> blocks, int dim, long rows, double totalWeight,
                             long[] offsets, double[] maxAbs, long[] skipped, long missingCells,
                             long rowsWithMissing, double[] observedSum, double[] observedWeight, boolean sparse) {
        this.spark = spark;
        this.blocks = blocks;
        this.dim = dim;
        this.rows = rows;
        this.totalWeight = totalWeight;
        this.offsets = offsets;
        this.maxAbs = maxAbs;
        this.skipped = skipped;
        this.missingCells = missingCells;
        this.rowsWithMissing = rowsWithMissing;
        this.observedSum = observedSum;
        this.observedWeight = observedWeight;
        this.sparse = sparse;
    }

    /** Rows per sparse block: their non-zeros, not the dimension, set a block's size. */
    public static final int SPARSE_BLOCK_ROWS = 8192;

    @Override
    public boolean sparse() {
        return sparse;
    }

    /**
     * Loads the rows of a vector column (LibSVM, Spark ML vectors) in sparse blocks, without their zeros:
     * {@link #load(SparkSession, Dataset, FeatureExtractor, int, int, InvalidPolicy, MissingPolicy)} for the
     * families whose kernels read sparse blocks. A sparse row has no missing cells.
     */
    public static SparkBlockSource loadSparse(SparkSession spark, Dataset<Row> frame, FeatureExtractor ex,
                                              int partitions, int blockRows, InvalidPolicy policy) {
        boolean skip = policy == InvalidPolicy.SKIP;
        JavaRDD<double[]> parsed = frame.javaRDD().mapPartitionsWithIndex(
                (p, it) -> parseSparse(ex, p, it, skip), true);
        if (partitions > 0) {
            parsed = spreadInOrder(parsed, partitions);
        }
        int d = ex.dim();
        boolean weighted = ex.weighted();
        int reasons = InvalidInputException.Reason.values().length;
        JavaRDD<RowBlock> blocks = parsed.mapPartitions(it -> toSparseBlocks(it, d, weighted, blockRows, reasons));
        return cache(spark, blocks, d, "input " + frame.inputFiles().length + " file(s), sparse");
    }

    /** Sparse rows ({@link FeatureExtractor#extractSparse}); a skipped row is the marker [-1 - reason]. */
    private static Iterator<double[]> parseSparse(FeatureExtractor ex, int partition, Iterator<Row> rowsIt,
                                                  boolean skip) {
        FeatureExtractor.Locator loc = new FeatureExtractor.Locator(partition);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rowsIt.hasNext();
            }

            @Override
            public double[] next() {
                try {
                    return ex.extractSparse(rowsIt.next(), loc);
                } catch (InvalidInputException e) {
                    if (!skip || e.reason() == null) {
                        throw e;
                    }
                    return new double[]{-1 - e.reason().ordinal()};
                }
            }
        };
    }

    private static Iterator<RowBlock> toSparseBlocks(Iterator<double[]> it, int d, boolean weighted, int blockRows,
                                                     int reasons) {
        return new Iterator<>() {
            long next = 0;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public RowBlock next() {
                if (!it.hasNext()) {
                    throw new NoSuchElementException();
                }
                List<double[]> rowsIn = new ArrayList<>();
                long[] skipped = null;
                long nnz = 0;
                while (rowsIn.size() < blockRows && it.hasNext()) {
                    double[] r = it.next();
                    if (r.length == 1) {
                        if (skipped == null) {
                            skipped = new long[reasons];
                        }
                        skipped[(int) (-1 - r[0])]++;
                        continue;
                    }
                    rowsIn.add(r);
                    nnz += (long) r[1];
                }
                RowBlock b = FeatureExtractor.sparseBlock(rowsIn, nnz, d, next, weighted, skipped);
                next += b.rows;
                return b;
            }
        };
    }

    /**
     * Rows per block: about 64k doubles (512 KiB) a block, between 256 and 8192 rows, a multiple of 64 so that
     * the kernels' vector loops cover whole blocks (their tails run lane by lane: at d = 100, 655-row blocks
     * made the Bernoulli E-step 1.3-1.6 times slower than 640-row blocks, in an uncommitted harness).
     */
    public static int defaultBlockRows(int dim) {
        return Math.max(256, Math.min(8192, 65536 / Math.max(1, dim) & ~63));
    }

    /** {@link #load(SparkSession, Dataset, FeatureExtractor, int, int, InvalidPolicy)} failing on bad rows. */
    public static SparkBlockSource load(SparkSession spark, Dataset<Row> frame, FeatureExtractor ex,
                                        int partitions, int blockRows) {
        return load(spark, frame, ex, partitions, blockRows, InvalidPolicy.FAIL);
    }

    /** {@link #load(SparkSession, Dataset, FeatureExtractor, int, int, InvalidPolicy, MissingPolicy)} with missing cells kept. */
    public static SparkBlockSource load(SparkSession spark, Dataset<Row> frame, FeatureExtractor ex,
                                        int partitions, int blockRows, InvalidPolicy policy) {
        return load(spark, frame, ex, partitions, blockRows, policy, MissingPolicy.MARGINALIZE);
    }

    /**
     * Parses and validates every row of the frame, optionally spreads them over {@code partitions}
     * partitions keeping input order, groups them into blocks and caches them. With {@link InvalidPolicy#SKIP}
     * a bad row is left out and counted by reason ({@link #skippedRows()}); the counts travel with the cached
     * blocks, so a recomputed partition counts its rows again instead of twice. With
     * {@link MissingPolicy#MARGINALIZE} missing feature cells are kept as NaN, and rows with no observed
     * feature are skipped and counted as {@code allMissing}.
     */
    public static SparkBlockSource load(SparkSession spark, Dataset<Row> frame, FeatureExtractor ex,
                                        int partitions, int blockRows, InvalidPolicy policy, MissingPolicy missing) {
        boolean skip = policy == InvalidPolicy.SKIP;
        boolean allowMissing = missing == MissingPolicy.MARGINALIZE;
        JavaRDD<double[]> parsed = frame.javaRDD().mapPartitionsWithIndex(
                (p, it) -> parse(ex, p, it, skip, allowMissing), true);
        if (partitions > 0) {
            parsed = spreadInOrder(parsed, partitions);
        }
        int d = ex.dim();
        boolean weighted = ex.weighted();
        int reasons = InvalidInputException.Reason.values().length;
        JavaRDD<RowBlock> blocks = parsed.mapPartitions(it -> toBlocks(it, d, weighted, blockRows, reasons));
        return cache(spark, blocks, d, "input " + frame.inputFiles().length + " file(s)");
    }

    /** Caches blocks made elsewhere (generated data, benchmarks) and counts them. */
    public static SparkBlockSource cache(SparkSession spark, JavaRDD<RowBlock> blocks, int dim, String what) {
        blocks.persist(StorageLevel.MEMORY_AND_DISK());
        spark.sparkContext().setJobDescription("mixem: load and cache " + what);
        int reasons = InvalidInputException.Reason.values().length;
        List<double[]> counts = blocks.mapPartitions(it -> count(it, dim, reasons)).collect();
        long[] offsets = new long[counts.size()];
        long n = 0;
        double w = 0;
        double[] maxAbs = new double[dim];
        long[] skipped = new long[reasons];
        long missingCells = 0;
        long rowsWithMissing = 0;
        double[] observedSum = new double[dim];
        double[] observedWeight = new double[dim];
        boolean sparse = false;
        for (int p = 0; p < counts.size(); p++) {
            double[] c = counts.get(p);
            sparse |= c[c.length - 1] != 0;
            offsets[p] = n;
            n += (long) c[0];
            w += c[1];
            for (int j = 0; j < dim; j++) {
                maxAbs[j] = Math.max(maxAbs[j], c[2 + j]);
            }
            for (int r = 0; r < reasons; r++) {
                skipped[r] += (long) c[2 + dim + r];
            }
            int m = 2 + dim + reasons;
            missingCells += (long) c[m];
            rowsWithMissing += (long) c[m + 1];
            for (int j = 0; j < dim; j++) {
                observedSum[j] += c[m + 2 + j];
                observedWeight[j] += c[m + 2 + dim + j];
            }
        }
        if (n == 0) {
            blocks.unpersist(false);
            long total = java.util.Arrays.stream(skipped).sum();
            throw new InvalidInputException("the input has no data rows"
                    + (total > 0 ? " (all " + total + " rows were invalid and skipped)" : ""));
        }
        if (!(w > 0)) {
            blocks.unpersist(false);
            throw new InvalidInputException("the row weights sum to " + w + "; at least one must be positive");
        }
        return new SparkBlockSource(spark, blocks, dim, n, w, offsets, maxAbs, skipped, missingCells,
                rowsWithMissing, observedSum, observedWeight, sparse);
    }

    public JavaRDD<RowBlock> blocks() {
        return blocks;
    }

    public int partitions() {
        return offsets.length;
    }

    /**
     * Invalid rows left out under {@link InvalidPolicy#SKIP}, by reason (only reasons that occurred), in
     * reason order; rows with every feature missing are counted apart ({@link #allMissingRows()}).
     */
    public java.util.Map<String, Long> skippedRows() {
        java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (InvalidInputException.Reason r : InvalidInputException.Reason.values()) {
            if (r != InvalidInputException.Reason.ALL_MISSING && skipped[r.ordinal()] > 0) {
                out.put(r.key(), skipped[r.ordinal()]);
            }
        }
        return out;
    }

    /** Rows left out because every feature was missing (under the marginalize policy). */
    public long allMissingRows() {
        return skipped[InvalidInputException.Reason.ALL_MISSING.ordinal()];
    }

    /** Missing feature cells among the rows kept. */
    public long missingCells() {
        return missingCells;
    }

    /** Rows kept that have at least one missing feature cell. */
    public long rowsWithMissing() {
        return rowsWithMissing;
    }

    /** Fails, naming the feature, if a feature has no observed cell of positive weight. */
    public void requireObservedFeatures(List<String> names) {
        BlockSource.means(observedSum, observedWeight, names);
    }

    @Override
    public double[] observedMeans() {
        return BlockSource.means(observedSum, observedWeight, null);
    }

    /**
     * A digest of the rows as loaded: their number, partitions, total weight, missing cells, and per feature
     * the sum, weight and largest magnitude of the observed cells (every bit of each). Any change of input
     * that could change a fit changes it, short of a reordering within a partition that keeps every sum.
     */
    public String fingerprint(int blockRows) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8 * (8 + 3 * dim + offsets.length));
            buf.putLong(dim).putLong(rows).putLong(offsets.length).putLong(blockRows)
                    .putLong(Double.doubleToLongBits(totalWeight)).putLong(missingCells).putLong(rowsWithMissing)
                    .putLong(allMissingRows());
            for (long o : offsets) {
                buf.putLong(o);
            }
            for (int j = 0; j < dim; j++) {
                buf.putLong(Double.doubleToLongBits(observedSum[j])).putLong(Double.doubleToLongBits(observedWeight[j]))
                        .putLong(Double.doubleToLongBits(maxAbs[j]));
            }
            return "sha256:" + java.util.HexFormat.of().formatHex(md.digest(buf.array()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Largest |value| of each feature over all rows (observed cells). */
    public double[] maxAbs() {
        return maxAbs.clone();
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public double totalWeight() {
        return totalWeight;
    }

    @Override
    public <S extends Mergeable<S>> S aggregate(BlockPass<S> pass, String description, double fraction, long seed) {
        spark.sparkContext().setJobDescription(description);
        Broadcast<BlockPass<S>> bcPass = jsc().broadcast(pass);
        long[] off = offsets;
        try {
            return DeterministicReduce.aggregate(blocks, (p, it) -> {
                BlockPass<S> ps = bcPass.value();
                BlockPass.Accumulator<S> acc = ps.open();
                S stats = ps.empty();
                while (it.hasNext()) {
                    acc.add(it.next().sample(fraction, seed, off[p]), stats);
                }
                acc.finish(stats);
                return stats;
            }, DeterministicReduce.DEFAULT_FAN_IN);
        } finally {
            bcPass.destroy();
        }
    }

    @Override
    public Sample sample(double fraction, long seed) {
        spark.sparkContext().setJobDescription("mixem: sample " + fraction + " of the rows");
        long[] off = offsets;
        int d = dim;
        List<double[]> picked = blocks.mapPartitionsWithIndex((p, it) -> {
            List<double[]> out = new ArrayList<>();
            while (it.hasNext()) {
                RowBlock b = it.next();
                for (int i = 0; i < b.rows; i++) {
                    if (Seeds.uniform(seed, off[p] + b.firstRow + i) < fraction) {
                        double[] r = new double[d + 1];
                        b.row(i, r);
                        r[d] = b.weight(i);
                        out.add(r);
                    }
                }
            }
            return out.iterator();
        }, true).collect();
        double[][] rowsOut = new double[picked.size()][];
        double[] weights = new double[picked.size()];
        for (int i = 0; i < rowsOut.length; i++) {
            rowsOut[i] = Arrays.copyOf(picked.get(i), d);
            weights[i] = picked.get(i)[d];
        }
        return new Sample(rowsOut, weights);
    }

    @Override
    public double[] kmeansParallel(int k, double fraction, long seed, int maxIter) {
        spark.sparkContext().setJobDescription("mixem: k-means|| initialization");
        long[] off = offsets;
        double[] fill = observedMeans();
        StructType schema = new StructType()
                .add("features", SQLDataTypes.VectorType(), false)
                .add("weight", DataTypes.DoubleType, false);
        JavaRDD<Row> rowsRdd = blocks.mapPartitionsWithIndex((p, it) -> {
            List<Row> out = new ArrayList<>();
            while (it.hasNext()) {
                RowBlock b = it.next();
                for (int i = 0; i < b.rows; i++) {
                    if (fraction >= 1.0 || Seeds.uniform(seed, off[p] + b.firstRow + i) < fraction) {
                        if (b.isSparse()) {
                            int from = b.rowStart[i];
                            int to = b.rowStart[i + 1];
                            out.add(RowFactory.create(Vectors.sparse(b.dim, Arrays.copyOfRange(b.cols, from, to),
                                    Arrays.copyOfRange(b.nonZeros, from, to)), b.weight(i)));
                            continue;
                        }
                        double[] r = new double[b.dim];
                        b.row(i, r);
                        out.add(RowFactory.create(Vectors.dense(BlockSource.fillRow(r, fill)), b.weight(i)));
                    }
                }
            }
            return out.iterator();
        }, true);
        Dataset<Row> df = spark.createDataFrame(rowsRdd, schema);
        KMeansModel model = new KMeans().setK(k).setSeed(seed).setMaxIter(maxIter).setInitMode("k-means||")
                .setFeaturesCol("features").setWeightCol("weight").fit(df);
        Vector[] centers = model.clusterCenters();
        if (centers.length < k) {
            return null;
        }
        double[] out = new double[k * dim];
        for (int c = 0; c < k; c++) {
            System.arraycopy(centers[c].toArray(), 0, out, c * dim, dim);
        }
        return out;
    }

    @Override
    public void close() {
        blocks.unpersist(false);
    }

    private JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    // Loading

    /**
     * One array per input row: its features (and weight), or, for a row skipped under the skip policy, a
     * marker one longer whose last entry is the reason's ordinal.
     */
    private static Iterator<double[]> parse(FeatureExtractor ex, int partition, Iterator<Row> rowsIt, boolean skip,
                                            boolean allowMissing) {
        int dim = ex.dim();
        FeatureExtractor.Locator loc = new FeatureExtractor.Locator(partition);
        int width = ex.width();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rowsIt.hasNext();
            }

            @Override
            public double[] next() {
                double[] out = new double[width];
                try {
                    ex.extract(rowsIt.next(), loc, out, allowMissing);
                } catch (InvalidInputException e) {
                    if (!skip || e.reason() == null) {
                        throw e;
                    }
                    return marker(e.reason());
                }
                if (allowMissing && allMissing(out, dim)) {
                    return marker(InvalidInputException.Reason.ALL_MISSING);
                }
                return out;
            }

            private double[] marker(InvalidInputException.Reason reason) {
                double[] marker = new double[width + 1];
                marker[width] = reason.ordinal();
                return marker;
            }
        };
    }

    private static boolean allMissing(double[] row, int dim) {
        for (int j = 0; j < dim; j++) {
            if (!Double.isNaN(row[j])) {
                return false;
            }
        }
        return true;
    }

    /** Spreads rows over P partitions by ranges of their global input index, sorted within each. */
    private static JavaRDD<double[]> spreadInOrder(JavaRDD<double[]> parsed, int partitions) {
        List<Long> counts = parsed.mapPartitions(it -> {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return List.of(n).iterator();
        }).collect();
        long[] offsets = new long[counts.size()];
        long total = 0;
        for (int p = 0; p < counts.size(); p++) {
            offsets[p] = total;
            total += counts.get(p);
        }
        long n = total;
        return parsed.mapPartitionsWithIndex((p, it) -> {
            long start = offsets[p];
            return new Iterator<Tuple2<Long, double[]>>() {
                long i = 0;

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Tuple2<Long, double[]> next() {
                    return new Tuple2<>(start + i++, it.next());
                }
            };
        }, true).mapToPair(t -> t)
                .repartitionAndSortWithinPartitions(new IndexRangePartitioner(n, partitions))
                .values();
    }

    private static Iterator<RowBlock> toBlocks(Iterator<double[]> it, int d, boolean weighted, int blockRows,
                                               int reasons) {
        int width = d + (weighted ? 1 : 0);
        return new Iterator<>() {
            long next = 0;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public RowBlock next() {
                if (!it.hasNext()) {
                    throw new NoSuchElementException();
                }
                double[] v = new double[blockRows * d];
                double[] w = weighted ? new double[blockRows] : null;
                long[] skipped = null;
                int n = 0;
                while (n < blockRows && it.hasNext()) {
                    double[] r = it.next();
                    if (r.length > width) {
                        if (skipped == null) {
                            skipped = new long[reasons];
                        }
                        skipped[(int) r[width]]++;
                        continue;
                    }
                    for (int j = 0; j < d; j++) {
                        v[n + j * blockRows] = r[j];
                    }
                    if (weighted) {
                        w[n] = r[d];
                    }
                    n++;
                }
                if (n < blockRows) {
                    double[] compact = new double[n * d];
                    for (int j = 0; j < d; j++) {
                        System.arraycopy(v, j * blockRows, compact, j * n, n);
                    }
                    v = compact;
                    w = weighted ? Arrays.copyOf(w, n) : null;
                }
                RowBlock b = new RowBlock(n, d, next, v, w, skipped);
                next += n;
                return b;
            }
        };
    }

    /**
     * Per partition: rows, Σ weights, the largest |value| of each feature, rows skipped by reason, missing
     * cells, rows with a missing cell, then per feature Σ w x and Σ w over its observed cells, then 1 if a
     * block is sparse.
     */
    private static Iterator<double[]> count(Iterator<RowBlock> it, int dim, int reasons) {
        int m = 2 + dim + reasons;
        double[] out = new double[m + 2 + 2 * dim + 1];
        double[] sum = new double[dim];
        double[] weight = new double[dim];
        while (it.hasNext()) {
            RowBlock b = it.next();
            out[out.length - 1] = b.isSparse() ? 1 : out[out.length - 1];
            out[0] += b.rows;
            for (int i = 0; i < b.rows; i++) {
                out[1] += b.weight(i);
            }
            for (int t = 0; b.isSparse() && t < b.nonZeros.length; t++) {
                int j = b.cols[t];
                out[2 + j] = Math.max(out[2 + j], Math.abs(b.nonZeros[t]));
            }
            for (int j = 0; !b.isSparse() && j < b.dim; j++) {
                double mx = out[2 + j];
                for (int i = 0; i < b.rows; i++) {
                    double v = Math.abs(b.values[i + j * b.rows]);
                    // NaN (missing) never compares greater, so it is passed over.
                    mx = v > mx ? v : mx;
                }
                out[2 + j] = mx;
            }
            if (b.skipped != null) {
                for (int r = 0; r < reasons; r++) {
                    out[2 + dim + r] += b.skipped[r];
                }
            }
            out[m] += b.missing;
            if (b.missing > 0) {
                for (int i = 0; i < b.rows; i++) {
                    out[m + 1] += b.rowHasMissing(i) ? 1 : 0;
                }
            }
            BlockSource.addObserved(b, sum, weight);
        }
        System.arraycopy(sum, 0, out, m + 2, dim);
        System.arraycopy(weight, 0, out, m + 2 + dim, dim);
        return List.of(out).iterator();
    }
}
