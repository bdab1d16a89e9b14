package dev.mixem.ml;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

/**
 * The params of {@link GaussianMixture} and {@link GaussianMixtureModel}: Spark's, with Spark's names,
 * defaults and meaning, then mixem's own. Getters are shared here; each class declares its Param objects
 * (through {@link ParamSet}) and its fluent setters.
 */
public interface GaussianMixtureParams extends Params {

    /** The Param objects of this instance (the accessors below hand them out, as Spark's traits do). */
    ParamSet paramSet();

    default IntParam k() {
        return paramSet().k;
    }

    default IntParam maxIter() {
        return paramSet().maxIter;
    }

    default DoubleParam tol() {
        return paramSet().tol;
    }

    default LongParam seed() {
        return paramSet().seed;
    }

    default Param<String> featuresCol() {
        return paramSet().featuresCol;
    }

    default Param<String> predictionCol() {
        return paramSet().predictionCol;
    }

    default Param<String> probabilityCol() {
        return paramSet().probabilityCol;
    }

    default Param<String> weightCol() {
        return paramSet().weightCol;
    }

    default IntParam aggregationDepth() {
        return paramSet().aggregationDepth;
    }

    default Param<String> covarianceType() {
        return paramSet().covarianceType;
    }

    default DoubleParam regCovar() {
        return paramSet().regCovar;
    }

    default DoubleParam dof() {
        return paramSet().dof;
    }

    default IntParam nInit() {
        return paramSet().nInit;
    }

    default IntParam factors() {
        return paramSet().factors;
    }

    default org.apache.spark.ml.param.IntArrayParam factorCandidates() {
        return paramSet().factorCandidates;
    }

    default int getFactors() {
        return (Integer) getOrDefault(factors());
    }

    default int[] getFactorCandidates() {
        return getOrDefault(factorCandidates());
    }

    default Param<String> initMode() {
        return paramSet().initMode;
    }

    default Param<String> missing() {
        return paramSet().missing;
    }

    default Param<String> family() {
        return paramSet().family;
    }

    default Param<String> method() {
        return paramSet().method;
    }

    default Param<String> checkpointDir() {
        return paramSet().checkpointDir;
    }

    default org.apache.spark.ml.param.IntArrayParam kCandidates() {
        return paramSet().kCandidates;
    }

    default org.apache.spark.ml.param.StringArrayParam covarianceTypes() {
        return paramSet().covarianceTypes;
    }

    default Param<String> criterion() {
        return paramSet().criterion;
    }

    default int getK() {
        return (Integer) getOrDefault(k());
    }

    default int getMaxIter() {
        return (Integer) getOrDefault(maxIter());
    }

    default double getTol() {
        return (Double) getOrDefault(tol());
    }

    default long getSeed() {
        return (Long) getOrDefault(seed());
    }

    default String getFeaturesCol() {
        return getOrDefault(featuresCol());
    }

    default String getPredictionCol() {
        return getOrDefault(predictionCol());
    }

    default String getProbabilityCol() {
        return getOrDefault(probabilityCol());
    }

    /** The weight column; Spark's has no default and throws when unset, so does this. */
    default String getWeightCol() {
        return getOrDefault(weightCol());
    }

    default int getAggregationDepth() {
        return (Integer) getOrDefault(aggregationDepth());
    }

    default String getCovarianceType() {
        return getOrDefault(covarianceType());
    }

    default double getRegCovar() {
        return (Double) getOrDefault(regCovar());
    }

    default double getDof() {
        return (Double) getOrDefault(dof());
    }

    default int getNInit() {
        return (Integer) getOrDefault(nInit());
    }

    default String getInitMode() {
        return getOrDefault(initMode());
    }

    default String getMissing() {
        return getOrDefault(missing());
    }

    default String getFamily() {
        return getOrDefault(family());
    }

    default String getMethod() {
        return getOrDefault(method());
    }

    default String getCheckpointDir() {
        return getOrDefault(checkpointDir());
    }

    default int[] getKCandidates() {
        return getOrDefault(kCandidates());
    }

    default String[] getCovarianceTypes() {
        return getOrDefault(covarianceTypes());
    }

    default String getCriterion() {
        return getOrDefault(criterion());
    }

    /** The weight column when it is set and not empty, else null. */
    default String weightColOrNull() {
        return isDefined(weightCol()) && !getWeightCol().isEmpty() ? getWeightCol() : null;
    }

    /**
     * Checks the features column (a vector, {@code array<double>} or {@code array<float>}) and the weight
     * column (numeric), and appends the prediction (int) and probability (vector) columns, as Spark does:
     * an output column that already exists is an error; an empty output column name leaves it out.
     */
    default StructType validateAndTransformSchema(StructType schema) {
        String features = getFeaturesCol();
        if (!Arrays.asList(schema.fieldNames()).contains(features)) {
            throw new IllegalArgumentException("features column '" + features + "' does not exist; columns: "
                    + String.join(", ", schema.fieldNames()));
        }
        DataType t = schema.apply(features).dataType();
        boolean ok = t.equals(SQLDataTypes.VectorType()) || t instanceof ArrayType a
                && (a.elementType() instanceof DoubleType || a.elementType() instanceof FloatType);
        if (!ok) {
            throw new IllegalArgumentException("column '" + features + "' must be of type vector, array<double>"
                    + " or array<float>, but was " + t.simpleString());
        }
        String w = weightColOrNull();
        if (w != null) {
            if (!Arrays.asList(schema.fieldNames()).contains(w)) {
                throw new IllegalArgumentException("weight column '" + w + "' does not exist");
            }
            if (!(schema.apply(w).dataType() instanceof org.apache.spark.sql.types.NumericType)) {
                throw new IllegalArgumentException("weight column '" + w + "' must be numeric, but was "
                        + schema.apply(w).dataType().simpleString());
            }
        }
        StructType out = schema;
        out = append(out, getPredictionCol(), DataTypes.IntegerType);
        out = append(out, getProbabilityCol(), SQLDataTypes.VectorType());
        return out;
    }

    private static StructType append(StructType schema, String name, DataType type) {
        if (name.isEmpty()) {
            return schema;
        }
        if (Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("output column " + name + " already exists");
        }
        return schema.add(new StructField(name, type, true, org.apache.spark.sql.types.Metadata.empty()));
    }
}
