package dev.mixem.data;

import dev.mixem.fit.TraceEntry;
import dev.mixem.model.GaussianMixtureModel;
import dev.mixem.model.ModelFormatException;
import org.apache.hadoop.conf.Configuration;

import java.util.Locale;

/**
 * A model directory: {@code model.json} (the model, see {@link GaussianMixtureModel}) and {@code trace.csv}
 * (the per-iteration trace, for plotting). Files are written atomically.
 */
public final class ModelStore {
    public static final String MODEL_FILE = "model.json";
    public static final String TRACE_FILE = "trace.csv";

    private ModelStore() {
    }

    public static void save(Configuration conf, GaussianMixtureModel model, String dir) {
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

    /** Loads {@code DIR/model.json} (or the given file if it is a .json file). */
    public static GaussianMixtureModel load(Configuration conf, String dir) {
        String file = dir.endsWith(".json") ? dir : dir.replaceAll("/+$", "") + "/" + MODEL_FILE;
        String json = HadoopFiles.readString(conf, file);
        if (json == null) {
            throw new ModelFormatException("no model at " + dir + " (" + file + " does not exist)");
        }
        return GaussianMixtureModel.fromJson(json, file);
    }
}
