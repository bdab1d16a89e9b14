package dev.mixem.ml;

import dev.mixem.data.ModelStore;
import dev.mixem.family.EStep;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.MixtureScorer;
import dev.mixem.math.RowBlock;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.clustering.GaussianMixtureSummary;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.stat.distribution.MultivariateGaussian;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * A fitted mixture as a Spark ML {@code Model}, with the API of {@code org.apache.spark.ml.clustering.GaussianMixtureModel}:
 * {@link #weights}, {@link #gaussians} (full covariance matrices whatever the structure fitted),
 * {@link #gaussiansDF}, {@link #predict}, {@link #predictProbability}, {@link #transform} (adding the
 * prediction and probability columns), {@link #summary}; plus mixem's {@link #bic}, {@link #aic} and the
 * whole fitted model ({@link #mixemModel}). Rows with NaN cells are scored on their observed cells.
 * Saved as Spark's metadata plus mixem's versioned model.json (under {@code mixem/}).
 */
public class GaussianMixtureModel extends Model<GaussianMixtureModel> implements GaussianMixtureParams, MLWritable {
    private static final long serialVersionUID = 1L;
    private static final String MIXEM_DIR = "mixem";

    private final String uid;
    private final ParamSet p;
    private final dev.mixem.model.MixtureModel mixem;
    private transient GaussianMixtureSummary trainingSummary;
    private transient Dataset<Row> selection;
    private transient Posterior local;

    public GaussianMixtureModel(String uid, dev.mixem.model.MixtureModel mixem) {
        this.uid = uid;
        this.p = new ParamSet(this);
        p.setDefaults(this, GaussianMixture.class.getName());
        this.mixem = mixem;
    }

    /** An empty model, for Spark Connect's service loader only (it cannot transform). */
    public GaussianMixtureModel() {
        this(Identifiable.randomUID("GaussianMixture"), null);
    }

    @Override
    public String uid() {
        return uid;
    }

    /** mixem's model: parameters, fit summary (trace, restarts, missing cells) and provenance. */
    public dev.mixem.model.MixtureModel mixemModel() {
        return requireFitted();
    }

    private dev.mixem.model.MixtureModel requireFitted() {
        if (mixem == null) {
            throw new IllegalStateException("this GaussianMixtureModel holds no fitted mixture (it was made by the"
                    + " no-argument constructor, which exists for Spark Connect's service loader)");
        }
        return mixem;
    }

    private GaussianParams mixture() {
        return requireFitted().gaussian();
    }

    @Override
    public ParamSet paramSet() {
        return p;
    }

    public GaussianMixtureModel setFeaturesCol(String value) {
        return (GaussianMixtureModel) set(p.featuresCol, value);
    }

    public GaussianMixtureModel setPredictionCol(String value) {
        return (GaussianMixtureModel) set(p.predictionCol, value);
    }

    public GaussianMixtureModel setProbabilityCol(String value) {
        return (GaussianMixtureModel) set(p.probabilityCol, value);
    }

    // The mixture.

    /** The mixing weights, one per component. */
    public double[] weights() {
        dev.mixem.family.MixtureParams p = requireFitted().params();
        double[] w = new double[p.k()];
        for (int c = 0; c < w.length; c++) {
            w[c] = p.weight(c);
        }
        return w;
    }

    /**
     * Component c's weight. Spark's {@code weights} is a Scala {@code val}, so Scala code writes
     * {@code model.weights(i)}; on a Java method that is this overload.
     */
    public double weights(int c) {
        return requireFitted().params().weight(c);
    }

    /** Component c (Scala's {@code model.gaussians(i)}, as {@link #weights(int)}). */
    public MultivariateGaussian gaussians(int c) {
        return gaussians()[c];
    }

    /** Each component as Spark's MultivariateGaussian: its mean and its full covariance matrix. */
    public MultivariateGaussian[] gaussians() {
        GaussianParams g = mixture();
        MultivariateGaussian[] out = new MultivariateGaussian[g.k()];
        for (int c = 0; c < g.k(); c++) {
            out[c] = new MultivariateGaussian(new DenseVector(g.mean(c)),
                    new DenseMatrix(g.dim(), g.dim(), g.covarianceMatrix(c)));
        }
        return out;
    }

    /** The components as a DataFrame with columns {@code mean} (vector) and {@code cov} (matrix), as Spark's. */
    public Dataset<Row> gaussiansDF() {
        List<Row> rows = new ArrayList<>();
        for (MultivariateGaussian g : gaussians()) {
            rows.add(RowFactory.create(g.mean(), g.cov()));
        }
        StructType schema = new StructType()
                .add("mean", SQLDataTypes.VectorType(), false)
                .add("cov", SQLDataTypes.MatrixType(), false);
        return SparkSession.active().createDataFrame(rows, schema);
    }

    /** Number of features. */
    public int numFeatures() {
        return requireFitted().params().dim();
    }

    /** BIC on the training rows (scikit-learn's convention: lower is better). */
    public double bic() {
        return requireFitted().bic();
    }

    /** AIC on the training rows (lower is better). */
    public double aic() {
        return requireFitted().aic();
    }

    /** The most probable component of one row (NaN cells marginalized). */
    public int predict(Vector features) {
        return predictProbability(features).argmax();
    }

    /** The posterior probability of each component for one row (NaN cells marginalized). */
    public synchronized Vector predictProbability(Vector features) {
        if (local == null) {
            local = new Posterior(dev.mixem.family.registry.Families.scorer(requireFitted().params()));
        }
        return local.call(features);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return validateAndTransformSchema(schema);
    }

    /** Adds the prediction (int) and probability (vector) columns; an empty column name leaves it out. */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        Column features = col("`" + getFeaturesCol() + "`");
        if (dataset.schema().apply(getFeaturesCol()).dataType() instanceof ArrayType) {
            features = org.apache.spark.ml.functions.array_to_vector(features);
        }
        // The scorer travels as a broadcast, not inside every task's closure (a full covariance of D=784, k=10
        // is 49 MB). The DataFrame is lazy, so the broadcast outlives this call; Spark's ContextCleaner
        // removes it once the plan is gone, as for Spark's own GaussianMixtureModel.transform.
        Broadcast<MixtureScorer<?>> scorer = dataset.sparkSession().sparkContext()
                .broadcast(dev.mixem.family.registry.Families.scorer(requireFitted().params()),
                        scala.reflect.ClassTag$.MODULE$.apply(MixtureScorer.class));
        UserDefinedFunction probability = org.apache.spark.sql.functions.udf(new Posterior(scorer),
                SQLDataTypes.VectorType());
        UserDefinedFunction argmax = org.apache.spark.sql.functions.udf(
                (UDF1<Vector, Integer>) v -> v == null ? null : v.argmax(), DataTypes.IntegerType);
        Dataset<Row> out = dataset.toDF();
        Column prob = probability.apply(features);
        List<Column> cols = new ArrayList<>();
        cols.add(col("*"));
        // Spark's order: prediction, then probability (the UDF is deterministic: Spark evaluates it once).
        if (!getPredictionCol().isEmpty()) {
            cols.add(argmax.apply(prob).as(getPredictionCol()));
        }
        if (!getProbabilityCol().isEmpty()) {
            cols.add(prob.as(getProbabilityCol()));
        }
        out = out.select(cols.toArray(new Column[0]));
        return out;
    }

    /** Whether the model carries its training summary (a model just fitted does; a loaded one does not). */
    public boolean hasSummary() {
        return trainingSummary != null;
    }

    /** The training summary: predictions, cluster sizes, total log-likelihood, iterations. */
    public GaussianMixtureSummary summary() {
        if (trainingSummary == null) {
            throw new RuntimeException("No training summary available for this GaussianMixtureModel");
        }
        return trainingSummary;
    }

    /** The summary of the fit on {@code dataset}: its transform, the total weighted log-likelihood, the iterations. */
    void attachSummary(Dataset<?> dataset) {
        dev.mixem.model.MixtureModel.FitSummary s = requireFitted().summary();
        Dataset<Row> predictions = transform(dataset);
        trainingSummary = new GaussianMixtureSummary(predictions, getPredictionCol(), getProbabilityCol(),
                getFeaturesCol(), requireFitted().params().k(), s.avgLogLikelihood() * s.totalWeight(), s.iterations());
    }

    void attachSelection(Dataset<Row> table) {
        selection = table;
    }

    /** Whether this model was chosen by model selection ({@code kCandidates}) in this session. */
    public boolean hasSelection() {
        return selection != null;
    }

    /**
     * The model selection that chose this model ({@code kCandidates}): one row per candidate with k,
     * covariance, restart, avgLogLikelihood, freeParameters, bic, aic, icl (lower is better), iterations,
     * converged, bestRestart, chosen and failure. Like the training summary, it is not saved with the model.
     */
    public Dataset<Row> selection() {
        if (selection == null) {
            throw new RuntimeException("this GaussianMixtureModel was not chosen by model selection (kCandidates)");
        }
        return selection;
    }

    @Override
    public GaussianMixtureModel copy(ParamMap extra) {
        GaussianMixtureModel copied = copyValues(new GaussianMixtureModel(uid, mixem), extra);
        copied.trainingSummary = trainingSummary;
        copied.selection = selection;
        return copied.setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    @Override
    public void save(String path) throws IOException {
        write().save(path);
    }

    public static MLReader<GaussianMixtureModel> read() {
        return new Reader();
    }

    public static GaussianMixtureModel load(String path) {
        return read().load(path);
    }

    @Override
    public String toString() {
        return "GaussianMixtureModel: uid=" + uid + ", k=" + (mixem == null ? 0 : mixture().k()) + ", numFeatures="
                + (mixem == null ? 0 : mixture().dim()) + ", covarianceType=" + getCovarianceType();
    }

    /** Spark's metadata (class, uid, params) and mixem's model.json under {@code mixem/}. */
    private static final class Writer extends MLWriter {
        private final GaussianMixtureModel instance;

        Writer(GaussianMixtureModel instance) {
            this.instance = instance;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
            ModelStore.save(sparkSession().sparkContext().hadoopConfiguration(), instance.requireFitted(),
                    path + "/" + MIXEM_DIR);
        }
    }

    private static final class Reader extends MLReader<GaussianMixtureModel> {
        @Override
        public GaussianMixtureModel load(String path) {
            DefaultParamsReader.Metadata md = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                    GaussianMixtureModel.class.getName());
            dev.mixem.model.MixtureModel m = ModelStore.load(sparkSession().sparkContext().hadoopConfiguration(),
                    path + "/" + MIXEM_DIR);
            GaussianMixtureModel model = new GaussianMixtureModel(md.uid(), m);
            md.getAndSetParams(model, scala.Option.empty());
            return model;
        }
    }

    /**
     * A row's posterior under the mixture, by mixem's E-step on a block of one row (so NaN cells are
     * marginalized exactly as in the fit). Holds a broadcast of the scorer (or the scorer itself, on the
     * driver); the E-step is made once per task.
     */
    static final class Posterior implements UDF1<Vector, Vector>, Serializable {
        private static final long serialVersionUID = 1L;
        private final Broadcast<MixtureScorer<?>> broadcast;
        private transient MixtureScorer<?> scorer;
        private transient EStep<?> estep;
        private transient double[] rowLogLik;

        /** On the executors: the scorer from a broadcast. */
        Posterior(Broadcast<MixtureScorer<?>> broadcast) {
            this.broadcast = broadcast;
        }

        /** On the driver only. */
        Posterior(MixtureScorer<?> scorer) {
            this.broadcast = null;
            this.scorer = scorer;
        }

        @Override
        public Vector call(Vector v) {
            if (v == null) {
                return null;
            }
            if (scorer == null) {
                scorer = broadcast.value();
            }
            int d = scorer.dim();
            if (v.size() != d) {
                throw new IllegalArgumentException("a features vector of size " + v.size() + " for a model of "
                        + d + " features");
            }
            if (estep == null) {
                estep = eStep(scorer);
                rowLogLik = new double[1];
            }
            // The returned vector owns its array, so only the row's own block and result are new.
            double[] resp = new double[scorer.k()];
            estep.posterior(new RowBlock(1, d, 0, v.toArray(), null), resp, rowLogLik);
            return new DenseVector(resp);
        }

        private static <S extends dev.mixem.stats.MixtureStats<S>> EStep<S> eStep(MixtureScorer<S> scorer) {
            return new EStep<>(scorer);
        }
    }
}
