package dev.mixem.job;

import dev.mixem.data.FeatureExtractor;
import dev.mixem.data.InputReader;
import dev.mixem.data.InvalidInputException;
import dev.mixem.data.SparkBlockSource;

import dev.mixem.family.EStep;
import dev.mixem.family.registry.Families;
import dev.mixem.family.Imputer;
import dev.mixem.family.MixtureParams;
import dev.mixem.family.MixtureScorer;
import dev.mixem.math.RowBlock;
import dev.mixem.model.MixtureModel;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Scores rows with a fitted model, block by block: the input's columns plus {@code prediction} (int, the
 * most probable component), {@code probability} (vector of k posterior probabilities) and
 * {@code logLikelihood} (log p(x), natural log). A row with missing feature cells (when allowed) is scored on
 * its observed cells: its probabilities are the posterior given what was observed and its log-likelihood
 * the marginal log p(x_o). With imputation, {@code imputed} (vector of d) holds the row with each missing
 * cell replaced by its conditional mean Σ_k p(k | x_o) E[x_m | x_o, k].
 */
public final class Predictor {
    public static final String PREDICTION = "prediction";
    public static final String PROBABILITY = "probability";
    public static final String LOG_LIKELIHOOD = "logLikelihood";
    public static final String IMPUTED = "imputed";

    private Predictor() {
    }

    /** Scores complete rows only: a missing cell is an error naming its row and column. */
    public static Dataset<Row> predict(MixtureModel model, InputReader.Loaded in) {
        return predict(model, in, false, false);
    }

    /**
     * @param allowMissing whether rows may have missing feature cells (empty, null, NaN)
     * @param impute       whether to add the {@value #IMPUTED} column
     */
    public static Dataset<Row> predict(MixtureModel model, InputReader.Loaded in, boolean allowMissing,
                                       boolean impute) {
        return predict(model, in, allowMissing, impute, null);
    }

    /**
     * @param unseen counts the categorical values whose level the model was not fitted with, which are scored as
     *               missing (null: not counted)
     */
    public static Dataset<Row> predict(MixtureModel model, InputReader.Loaded in, boolean allowMissing,
                                       boolean impute, org.apache.spark.util.LongAccumulator unseen) {
        MixtureParams params = model.params();
        var categories = params instanceof dev.mixem.family.independent.IndependentParams ip ? ip.categories() : null;
        FeatureExtractor ex = categories != null ? in.extractor().withCategories(categories, true)
                : in.extractor().withDomain(model.family().domain());
        if (ex.dim() != params.dim()) {
            throw new InvalidInputException("the model has dimension " + params.dim() + " but the input gives "
                    + ex.dim() + " features");
        }
        StructType inSchema = in.frame().schema();
        List<String> userColumns = in.userColumns();
        for (String out : impute ? List.of(PREDICTION, PROBABILITY, LOG_LIKELIHOOD, IMPUTED)
                : List.of(PREDICTION, PROBABILITY, LOG_LIKELIHOOD)) {
            if (userColumns.contains(out)) {
                throw new InvalidInputException("the input already has a column named '" + out
                        + "', which predict writes; rename or drop it first");
            }
        }
        int[] keep = userColumns.stream().mapToInt(inSchema::fieldIndex).toArray();
        // Feature columns read from text come out as the numbers they were parsed to.
        int[] parsedFeature = new int[keep.length];
        java.util.Arrays.fill(parsedFeature, -1);
        for (int j = 0; j < ex.dim(); j++) {
            int col = ex.textFeatureColumn(j);
            for (int o = 0; o < keep.length; o++) {
                if (keep[o] == col) {
                    parsedFeature[o] = j;
                }
            }
        }
        List<StructField> fields = new ArrayList<>();
        for (int o = 0; o < keep.length; o++) {
            StructField f = inSchema.fields()[keep[o]];
            fields.add(parsedFeature[o] >= 0 ? DataTypes.createStructField(f.name(), DataTypes.DoubleType, false) : f);
        }
        fields.add(DataTypes.createStructField(PREDICTION, DataTypes.IntegerType, false));
        fields.add(DataTypes.createStructField(PROBABILITY, SQLDataTypes.VectorType(), false));
        fields.add(DataTypes.createStructField(LOG_LIKELIHOOD, DataTypes.DoubleType, false));
        if (impute) {
            fields.add(DataTypes.createStructField(IMPUTED, SQLDataTypes.VectorType(), false));
        }
        StructType outSchema = DataTypes.createStructType(fields);
        MixtureScorer<?> scorer = Families.scorer(params);
        boolean sparse = FitJob.sparseInput(in, Families.kind(params), params instanceof
                dev.mixem.family.gaussian.GaussianParams g ? g.type() : dev.mixem.config.CovarianceType.DIAG);
        int blockRows = sparse ? SparkBlockSource.SPARSE_BLOCK_ROWS / 4 : SparkBlockSource.defaultBlockRows(params.dim());
        int vectorIndex = in.featuresCol() == null ? -1 : inSchema.fieldIndex(in.featuresCol());
        MapPartitionsFunction<Row, Row> fn = it -> new ScoringIterator(it, scorer, ex, keep, parsedFeature, blockRows,
                allowMissing, impute, unseen, sparse, vectorIndex);
        return in.frame().mapPartitions(fn, Encoders.row(outSchema));
    }

    /**
     * The scored frame laid out for a text format. {@code json}: vectors become arrays. {@code csv}: one column
     * per component probability ({@code probability_0}, ...) and per imputed feature ({@code imputed_NAME}),
     * other vector and array columns (such as a LibSVM input's features) as their text, e.g. {@code [1.0, 2.0]}.
     * {@code parquet}: unchanged.
     */
    public static Dataset<Row> forFormat(Dataset<Row> scored, String format, int k, List<String> featureNames) {
        if (format.equals("parquet")) {
            return scored;
        }
        List<org.apache.spark.sql.Column> cols = new ArrayList<>();
        for (StructField f : scored.schema().fields()) {
            org.apache.spark.sql.Column c = org.apache.spark.sql.functions.col(quoted(f.name()));
            boolean vector = f.dataType() instanceof org.apache.spark.ml.linalg.VectorUDT;
            boolean array = f.dataType() instanceof org.apache.spark.sql.types.ArrayType;
            if (vector) {
                c = org.apache.spark.ml.functions.vector_to_array(c, "float64");
            }
            if (format.equals("csv") && (f.name().equals(PROBABILITY) || f.name().equals(IMPUTED)) && vector) {
                int n = f.name().equals(PROBABILITY) ? k : featureNames.size();
                for (int i = 0; i < n; i++) {
                    String name = f.name().equals(PROBABILITY) ? PROBABILITY + "_" + i : IMPUTED + "_" + featureNames.get(i);
                    cols.add(c.getItem(i).as(name));
                }
            } else if (format.equals("csv") && (vector || array || f.dataType() instanceof StructType
                    || f.dataType() instanceof org.apache.spark.sql.types.MapType)) {
                cols.add(c.cast(DataTypes.StringType).as(f.name()));
            } else {
                cols.add(c.as(f.name()));
            }
        }
        return scored.select(cols.toArray(new org.apache.spark.sql.Column[0]));
    }

    private static String quoted(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    /** Reads up to blockRows input rows, scores them as one block, then hands them out. */
    private static final class ScoringIterator implements Iterator<Row> {
        private final Iterator<Row> input;
        private final MixtureScorer<?> scorer;
        private final int k;
        private final int d;
        private final FeatureExtractor ex;
        private final int[] keep;
        private final int[] parsedFeature;
        private final int blockRows;
        private final EStep<?> step;
        private final Imputer imputer;
        private final FeatureExtractor.Locator loc = new FeatureExtractor.Locator(0);
        private final List<Row> buffer = new ArrayList<>();
        private final double[] staged;
        private final double[] row;
        private final double[] resp;
        private final double[] rowLogLik;
        private final boolean allowMissing;
        private final double[] imputed;
        private int cursor;
        private int filled;

        private final org.apache.spark.util.LongAccumulator unseen;
        private long unseenCounted;
        /** Sparse rows: scored in sparse blocks; --impute passes the vector through (no cell is missing). */
        private final boolean sparse;
        private final int vectorIndex;
        private final boolean impute;

        ScoringIterator(Iterator<Row> input, MixtureScorer<?> scorer, FeatureExtractor ex, int[] keep,
                        int[] parsedFeature, int blockRows, boolean allowMissing, boolean impute,
                        org.apache.spark.util.LongAccumulator unseen, boolean sparse, int vectorIndex) {
            this.unseen = unseen;
            this.sparse = sparse;
            this.vectorIndex = vectorIndex;
            this.allowMissing = allowMissing;
            this.k = scorer.k();
            this.d = scorer.dim();
            this.imputed = impute && !sparse ? new double[blockRows * d] : null;
            this.impute = impute;
            this.input = input;
            this.parsedFeature = parsedFeature;
            this.scorer = scorer;
            this.ex = ex;
            this.keep = keep;
            this.blockRows = blockRows;
            this.step = eStep(scorer);
            this.imputer = impute ? scorer.imputer() : null;
            this.staged = sparse ? null : new double[blockRows * d];
            this.row = sparse ? null : new double[ex.width()];
            this.resp = new double[blockRows * k];
            this.rowLogLik = new double[blockRows];
        }

        private static <S extends dev.mixem.stats.MixtureStats<S>> EStep<S> eStep(MixtureScorer<S> scorer) {
            return new EStep<>(scorer);
        }

        @Override
        public boolean hasNext() {
            return cursor < filled || input.hasNext();
        }

        @Override
        public Row next() {
            if (cursor >= filled) {
                fill();
            }
            if (cursor >= filled) {
                throw new NoSuchElementException();
            }
            Row in = buffer.get(cursor);
            int n = filled;
            Object[] out = new Object[keep.length + (imputed != null ? 4 : 3)];
            for (int j = 0; j < keep.length; j++) {
                out[j] = parsedFeature[j] >= 0 ? staged[cursor * d + parsedFeature[j]] : in.get(keep[j]);
            }
            double[] p = new double[k];
            int best = 0;
            for (int c = 0; c < k; c++) {
                p[c] = resp[cursor + c * n];
                if (p[c] > p[best]) {
                    best = c;
                }
            }
            out[keep.length] = best;
            out[keep.length + 1] = Vectors.dense(p);
            out[keep.length + 2] = rowLogLik[cursor];
            if (impute && sparse) {
                out[keep.length + 3] = in.get(vectorIndex);
            } else if (imputed != null) {
                double[] x = new double[d];
                for (int j = 0; j < d; j++) {
                    x[j] = imputed[cursor + j * n];
                }
                out[keep.length + 3] = Vectors.dense(x);
            }
            cursor++;
            return RowFactory.create(out);
        }

        private void fillSparse() {
            buffer.clear();
            List<double[]> rows = new ArrayList<>();
            long nnz = 0;
            while (rows.size() < blockRows && input.hasNext()) {
                Row r = input.next();
                double[] enc = ex.extractSparse(r, loc);
                rows.add(enc);
                nnz += (long) enc[1];
                buffer.add(r);
            }
            int n = rows.size();
            step.posterior(FeatureExtractor.sparseBlock(rows, nnz, d, 0, false, null), resp, rowLogLik);
            filled = n;
            cursor = 0;
        }

        private void fill() {
            if (sparse) {
                fillSparse();
                return;
            }
            buffer.clear();
            int n = 0;
            while (n < blockRows && input.hasNext()) {
                Row r = input.next();
                ex.extract(r, loc, row, allowMissing);
                System.arraycopy(row, 0, staged, n * d, d);
                buffer.add(r);
                n++;
            }
            double[] values = new double[n * d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    values[i + j * n] = staged[i * d + j];
                }
            }
            if (unseen != null && loc.unseenLevels() > unseenCounted) {
                unseen.add(loc.unseenLevels() - unseenCounted);
                unseenCounted = loc.unseenLevels();
            }
            RowBlock block = new RowBlock(n, d, 0, values, null);
            step.posterior(block, resp, rowLogLik);
            if (imputed != null) {
                imputer.impute(block, resp, imputed);
            }
            filled = n;
            cursor = 0;
        }
    }
}
