package dev.mixem.ml;

import dev.mixem.select.ModelSelection;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/** The model selection table as a DataFrame ({@link GaussianMixtureModel#selection()}). */
final class SelectionTable {
    static final StructType SCHEMA = new StructType()
            .add("k", DataTypes.IntegerType, false)
            .add("covariance", DataTypes.StringType, false)
            .add("restart", DataTypes.IntegerType, false)
            .add("avgLogLikelihood", DataTypes.DoubleType, true)
            .add("freeParameters", DataTypes.LongType, true)
            .add("bic", DataTypes.DoubleType, true)
            .add("aic", DataTypes.DoubleType, true)
            .add("icl", DataTypes.DoubleType, true)
            .add("iterations", DataTypes.IntegerType, true)
            .add("converged", DataTypes.BooleanType, true)
            .add("pruned", DataTypes.BooleanType, false)
            .add("bestRestart", DataTypes.BooleanType, false)
            .add("chosen", DataTypes.BooleanType, false)
            .add("failure", DataTypes.StringType, true)
            .add("factors", DataTypes.IntegerType, true);

    private SelectionTable() {
    }

    static Dataset<Row> of(SparkSession spark, ModelSelection.Outcome out) {
        List<Row> rows = new ArrayList<>();
        List<ModelSelection.Candidate> table = out.candidates();
        for (int i = 0; i < table.size(); i++) {
            ModelSelection.Candidate c = table.get(i);
            boolean ok = c.failure() == null;
            rows.add(RowFactory.create(c.k(), c.type().serializedName(), c.restart() + 1,
                    ok ? c.avgLogLikelihood() : null, ok ? c.freeParameters() : null, ok ? c.bic() : null,
                    ok ? c.aic() : null, ok ? c.icl() : null, ok ? c.iterations() : null, ok ? c.converged() : null,
                    c.pruned(), ModelSelection.representative(table, i), i == out.chosen(), c.failure(),
                    c.factors() > 0 ? c.factors() : null));
        }
        return spark.createDataFrame(rows, SCHEMA);
    }
}
