package dev.mixem.data;

import dev.mixem.fit.TraceEntry;
import dev.mixem.model.MixtureModel;
import dev.mixem.model.ModelFormatException;
import org.apache.hadoop.conf.Configuration;

import java.util.Locale;

/**
 * A model directory: {@code model.json} (the model, see {@link MixtureModel}) and {@code trace.csv}
 * (the per-iteration trace, for plotting). Files are written atomically.
 */
public final class ModelStore {
    public static final String MODEL_FILE = "model.json";
    public static final String TRACE_FILE = "trace.csv";
    /** The implied covariance matrices, written on request ({@code fit --implied-covariances}). */
    public static final String COVARIANCES_FILE = "covariances.json";

    private ModelStore() {
    }

    public static void save(Configuration conf, MixtureModel model, String dir) {
        HadoopFiles.writeString(conf, dir + "/" + MODEL_FILE, model.toJson());
        StringBuilder csv = new StringBuilder("iteration,avgLogLikelihood,seconds,cumulativeSeconds,passes,likelihoodDecreased\n");
        double cumulative = 0;
        for (TraceEntry e : model.summary().trace()) {
            cumulative += e.seconds();
            csv.append(String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%s%n", e.iteration(),
                    Double.toString(e.avgLogLikelihood()), Double.toString(e.seconds()), Double.toString(cumulative),
                    Double.toString(e.passes()), e.likelihoodDecreased()));
        }
        HadoopFiles.writeString(conf, dir + "/" + TRACE_FILE, csv.toString());
    }

    /**
     * Writes {@code DIR/covariances.json}: every component's covariance as a full D x D matrix (rows of
     * numbers), whatever the structure; for factor analyzers Λ_k Λ_kᵀ + Ψ_k. Derived from model.json, which
     * stays the model; nothing reads this file back.
     */
    public static void saveImpliedCovariances(Configuration conf, MixtureModel model, String dir) {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = json.createObjectNode();
        var p = model.gaussian();
        int d = p.dim();
        root.put("covarianceType", p.type().serializedName());
        root.put("k", p.k());
        root.put("dimension", d);
        var covs = root.putArray("covariances");
        for (int c = 0; c < p.k(); c++) {
            double[] m = p.covarianceMatrix(c);
            var rows = covs.addArray();
            for (int i = 0; i < d; i++) {
                var row = rows.addArray();
                for (int j = 0; j < d; j++) {
                    row.add(m[i + j * d]);
                }
            }
        }
        HadoopFiles.writeString(conf, dir + "/" + COVARIANCES_FILE, root.toString() + "\n");
    }

    /** Loads {@code DIR/model.json} (or the given file if it is a .json file). */
    public static MixtureModel load(Configuration conf, String dir) {
        String file = dir.endsWith(".json") ? dir : dir.replaceAll("/+$", "") + "/" + MODEL_FILE;
        String json = HadoopFiles.readString(conf, file);
        if (json == null) {
            throw new ModelFormatException("no model at " + dir + " (" + file + " does not exist)");
        }
        return MixtureModel.fromJson(json, file);
    }
}
