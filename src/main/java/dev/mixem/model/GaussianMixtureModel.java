package dev.mixem.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.config.CovarianceType;
import dev.mixem.family.GaussianParams;
import dev.mixem.family.NumericalException;
import dev.mixem.fit.TraceEntry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fitted Gaussian mixture with what produced it, and its {@code model.json} form (format version
 * {@value #FORMAT_VERSION}; the README lists every field). Immutable.
 *
 * @param params        the mixture
 * @param featureNames  names of the features, in order (for a vector column, name[i])
 * @param featuresCol   the vector column the features came from, or null for scalar columns
 * @param summary       how the fit went
 * @param provenance    mixem and Spark versions, BLAS, configuration, input description
 */
public record GaussianMixtureModel(GaussianParams params, List<String> featureNames, String featuresCol,
                                   FitSummary summary, Map<String, Object> provenance) {

    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public GaussianMixtureModel {
        featureNames = List.copyOf(featureNames);
        provenance = provenance == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        if (featureNames.size() != params.dim()) {
            throw new IllegalArgumentException(featureNames.size() + " feature names for dimension " + params.dim());
        }
    }

    /**
     * @param avgLogLikelihood  mean per-row log-likelihood (natural log, weighted) of the params on the training rows
     * @param iterations        M-steps performed
     * @param converged         whether tol was reached before max-iter
     * @param rows              training rows
     * @param totalWeight       Σ row weights (= rows when unweighted)
     * @param weightCol         weight column, or null
     * @param kRequested        k asked for (k of the params may be lower after dropped components)
     * @param droppedComponents components dropped by the collapse rule
     * @param regCovar          value added to every covariance diagonal
     * @param seed              seed of the fit
     * @param trace             one entry per E-step of the kept restart
     * @param restartLogLikelihoods final mean log-likelihood of every restart
     * @param invalidPolicy     what was done with invalid input rows ("fail" or "skip")
     * @param skippedRows       input rows left out under "skip", by reason
     * @param missing           missing feature cells in the training rows and what was done with them
     */
    public record FitSummary(double avgLogLikelihood, int iterations, boolean converged, long rows,
                             double totalWeight, String weightCol, int kRequested, int droppedComponents,
                             double regCovar, long seed, List<TraceEntry> trace, List<Double> restartLogLikelihoods,
                             String invalidPolicy, Map<String, Long> skippedRows, MissingSummary missing) {
        public FitSummary {
            trace = List.copyOf(trace);
            restartLogLikelihoods = List.copyOf(restartLogLikelihoods);
            invalidPolicy = invalidPolicy == null ? "fail" : invalidPolicy;
            skippedRows = skippedRows == null ? Map.of()
                    : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(skippedRows));
            missing = missing == null ? MissingSummary.NONE : missing;
        }

        /** A summary with no missing cells. */
        public FitSummary(double avgLogLikelihood, int iterations, boolean converged, long rows, double totalWeight,
                          String weightCol, int kRequested, int droppedComponents, double regCovar, long seed,
                          List<TraceEntry> trace, List<Double> restartLogLikelihoods, String invalidPolicy,
                          Map<String, Long> skippedRows) {
            this(avgLogLikelihood, iterations, converged, rows, totalWeight, weightCol, kRequested, droppedComponents,
                    regCovar, seed, trace, restartLogLikelihoods, invalidPolicy, skippedRows, MissingSummary.NONE);
        }

        /** A summary of a fit that read valid rows only (policy "fail", nothing skipped). */
        public FitSummary(double avgLogLikelihood, int iterations, boolean converged, long rows, double totalWeight,
                          String weightCol, int kRequested, int droppedComponents, double regCovar, long seed,
                          List<TraceEntry> trace, List<Double> restartLogLikelihoods) {
            this(avgLogLikelihood, iterations, converged, rows, totalWeight, weightCol, kRequested, droppedComponents,
                    regCovar, seed, trace, restartLogLikelihoods, "fail", Map.of());
        }

        public long skippedTotal() {
            return skippedRows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Missing feature cells of the training rows.
     *
     * @param policy                "marginalize" (kept, treated as latent by EM) or "fail"
     * @param cells                 missing cells in the rows that were fitted
     * @param rowsWithMissing       fitted rows with at least one missing cell
     * @param allMissingRowsSkipped rows left out because no feature was observed
     */
    public record MissingSummary(String policy, long cells, long rowsWithMissing, long allMissingRowsSkipped) {
        public static final MissingSummary NONE = new MissingSummary("marginalize", 0, 0, 0);

        public MissingSummary {
            policy = policy == null ? "marginalize" : policy;
        }
    }

    /** Bayesian information criterion, -2 log L + p log n, with n the total row weight (lower is better). */
    public double bic() {
        return -2 * summary.avgLogLikelihood() * summary.totalWeight()
                + params.freeParameters() * Math.log(summary.totalWeight());
    }

    /** Akaike information criterion, -2 log L + 2p (lower is better). */
    public double aic() {
        return -2 * summary.avgLogLikelihood() * summary.totalWeight() + 2.0 * params.freeParameters();
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        int k = params.k();
        int d = params.dim();
        root.put("formatVersion", FORMAT_VERSION);
        root.put("family", "gaussian");
        root.put("covarianceType", params.type().serializedName());
        root.put("k", k);
        root.put("dimension", d);
        ArrayNode names = root.putArray("featureNames");
        featureNames.forEach(names::add);
        if (featuresCol == null) {
            root.putNull("featuresCol");
        } else {
            root.put("featuresCol", featuresCol);
        }
        ArrayNode w = root.putArray("weights");
        for (int c = 0; c < k; c++) {
            w.add(params.weight(c));
        }
        ArrayNode means = root.putArray("means");
        for (int c = 0; c < k; c++) {
            addArray(means.addArray(), params.mean(c));
        }
        switch (params.type()) {
            case FULL -> {
                ArrayNode covs = root.putArray("covariances");
                for (int c = 0; c < k; c++) {
                    addMatrix(covs.addArray(), params.covariance(c), d);
                }
            }
            case TIED -> addMatrix(root.putArray("covariance"), params.covariance(0), d);
            case DIAG -> {
                ArrayNode vars = root.putArray("variances");
                for (int c = 0; c < k; c++) {
                    addArray(vars.addArray(), params.covariance(c));
                }
            }
            case SPHERICAL -> addArray(root.putArray("variances"), params.covariances());
        }
        FitSummary s = summary;
        root.put("regCovar", s.regCovar());
        root.put("avgLogLikelihood", s.avgLogLikelihood());
        root.put("bic", bic());
        root.put("aic", aic());
        root.put("iterations", s.iterations());
        root.put("converged", s.converged());
        root.put("rows", s.rows());
        root.put("totalWeight", s.totalWeight());
        if (s.weightCol() == null) {
            root.putNull("weightCol");
        } else {
            root.put("weightCol", s.weightCol());
        }
        ObjectNode invalid = root.putObject("invalidRows");
        invalid.put("policy", s.invalidPolicy());
        invalid.put("skipped", s.skippedTotal());
        ObjectNode byReason = invalid.putObject("byReason");
        s.skippedRows().forEach(byReason::put);
        ObjectNode missing = root.putObject("missingValues");
        missing.put("policy", s.missing().policy());
        missing.put("cells", s.missing().cells());
        missing.put("rowsWithMissing", s.missing().rowsWithMissing());
        missing.put("allMissingRowsSkipped", s.missing().allMissingRowsSkipped());
        root.put("kRequested", s.kRequested());
        root.put("droppedComponents", s.droppedComponents());
        root.put("seed", s.seed());
        ArrayNode restarts = root.putArray("restartLogLikelihoods");
        s.restartLogLikelihoods().forEach(restarts::add);
        ArrayNode trace = root.putArray("trace");
        double cumulative = 0;
        for (TraceEntry e : s.trace()) {
            cumulative += e.seconds();
            ObjectNode t = trace.addObject();
            t.put("iteration", e.iteration());
            t.put("avgLogLikelihood", e.avgLogLikelihood());
            t.put("seconds", e.seconds());
            t.put("cumulativeSeconds", cumulative);
            t.put("passes", e.passes());
            t.put("likelihoodDecreased", e.likelihoodDecreased());
        }
        root.set("provenance", JSON.valueToTree(provenance));
        Checksums.seal(root);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void addArray(ArrayNode node, double[] values) {
        for (double v : values) {
            node.add(v);
        }
    }

    /**
     * Parses {@code model.json}. Fails with a {@link ModelFormatException} naming the problem on malformed or
     * truncated JSON, an unknown format version, missing fields, inconsistent shapes, non-finite values or a
     * covariance that is not positive definite.
     */
    public static GaussianMixtureModel fromJson(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(source + " is not valid JSON (truncated or corrupt?): "
                    + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(source + " does not hold a JSON object");
        }
        JsonNode version = root.get("formatVersion");
        if (version == null || !version.canConvertToInt()) {
            throw new ModelFormatException(source + " has no formatVersion; it is not a mixem model");
        }
        if (version.asInt() != FORMAT_VERSION) {
            throw new ModelFormatException(source + " has format version " + version.asText()
                    + ", which this mixem (" + Version.mixem() + ") cannot read; it reads version " + FORMAT_VERSION);
        }
        Checksums.verify(root, source, false);
        try {
            String family = text(root, "family", source);
            if (!family.equals("gaussian")) {
                throw new ModelFormatException(source + ": unknown family '" + family + "'");
            }
            CovarianceType type = CovarianceType.parse(text(root, "covarianceType", source));
            int k = integer(root, "k", source);
            int d = integer(root, "dimension", source);
            double[] weights = vector(require(root, "weights", source), k, "weights", source);
            double[] means = new double[k * d];
            JsonNode meansNode = require(root, "means", source);
            checkLength(meansNode, k, "means", source);
            for (int c = 0; c < k; c++) {
                System.arraycopy(vector(meansNode.get(c), d, "means[" + c + "]", source), 0, means, c * d, d);
            }
            double[] cov = new double[type.paramLength(k, d)];
            switch (type) {
                case FULL -> {
                    JsonNode covs = require(root, "covariances", source);
                    checkLength(covs, k, "covariances", source);
                    for (int c = 0; c < k; c++) {
                        readMatrix(covs.get(c), d, "covariances[" + c + "]", source, cov, c * d * d);
                    }
                }
                case TIED -> readMatrix(require(root, "covariance", source), d, "covariance", source, cov, 0);
                case DIAG -> {
                    JsonNode vars = require(root, "variances", source);
                    checkLength(vars, k, "variances", source);
                    for (int c = 0; c < k; c++) {
                        System.arraycopy(vector(vars.get(c), d, "variances[" + c + "]", source), 0, cov, c * d, d);
                    }
                }
                case SPHERICAL -> cov = vector(require(root, "variances", source), k, "variances", source);
            }
            GaussianParams params = new GaussianParams(type, k, d, weights, means, cov);
            List<String> names = new ArrayList<>();
            JsonNode namesNode = require(root, "featureNames", source);
            checkLength(namesNode, d, "featureNames", source);
            namesNode.forEach(n -> names.add(n.asText()));
            JsonNode fc = root.get("featuresCol");
            String featuresCol = fc == null || fc.isNull() ? null : fc.asText();
            List<TraceEntry> trace = new ArrayList<>();
            JsonNode traceNode = root.get("trace");
            if (traceNode != null) {
                for (JsonNode t : traceNode) {
                    trace.add(new TraceEntry(t.path("iteration").asInt(), t.path("avgLogLikelihood").asDouble(),
                            t.path("seconds").asDouble(), t.path("likelihoodDecreased").asBoolean(),
                            t.path("passes").asDouble(t.path("iteration").asInt())));
                }
            }
            List<Double> restarts = new ArrayList<>();
            JsonNode rn = root.get("restartLogLikelihoods");
            if (rn != null) {
                rn.forEach(n -> restarts.add(n.asDouble()));
            }
            JsonNode wc = root.get("weightCol");
            JsonNode invalid = root.path("invalidRows");
            Map<String, Long> skipped = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : invalid.path("byReason").properties()) {
                skipped.put(e.getKey(), e.getValue().asLong());
            }
            JsonNode mv = root.path("missingValues");
            MissingSummary missing = new MissingSummary(mv.path("policy").asText("marginalize"),
                    mv.path("cells").asLong(0), mv.path("rowsWithMissing").asLong(0),
                    mv.path("allMissingRowsSkipped").asLong(0));
            FitSummary summary = new FitSummary(number(root, "avgLogLikelihood", source),
                    integer(root, "iterations", source), require(root, "converged", source).asBoolean(),
                    require(root, "rows", source).asLong(), root.path("totalWeight").asDouble(
                    require(root, "rows", source).asDouble()),
                    wc == null || wc.isNull() ? null : wc.asText(), root.path("kRequested").asInt(k),
                    root.path("droppedComponents").asInt(0), number(root, "regCovar", source),
                    require(root, "seed", source).asLong(), trace, restarts,
                    invalid.path("policy").asText("fail"), skipped, missing);
            Map<String, Object> provenance = new LinkedHashMap<>();
            JsonNode prov = root.get("provenance");
            if (prov != null && prov.isObject()) {
                for (Map.Entry<String, JsonNode> e : prov.properties()) {
                    provenance.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
                }
            }
            return new GaussianMixtureModel(params, names, featuresCol, summary, provenance);
        } catch (NumericalException | IllegalArgumentException e) {
            throw new ModelFormatException(source + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode require(JsonNode root, String field, String source) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new ModelFormatException(source + " lacks the field '" + field + "'");
        }
        return n;
    }

    private static String text(JsonNode root, String field, String source) {
        return require(root, field, source).asText();
    }

    private static int integer(JsonNode root, String field, String source) {
        JsonNode n = require(root, field, source);
        if (!n.canConvertToInt()) {
            throw new ModelFormatException(source + ": field '" + field + "' is not an integer");
        }
        return n.asInt();
    }

    private static double number(JsonNode root, String field, String source) {
        JsonNode n = require(root, field, source);
        if (!n.isNumber()) {
            throw new ModelFormatException(source + ": field '" + field + "' is not a number");
        }
        return n.asDouble();
    }

    private static void checkLength(JsonNode n, int len, String what, String source) {
        if (n == null || !n.isArray() || n.size() != len) {
            throw new ModelFormatException(source + ": '" + what + "' must be an array of " + len + " entries");
        }
    }

    private static double[] vector(JsonNode n, int len, String what, String source) {
        checkLength(n, len, what, source);
        double[] v = new double[len];
        for (int i = 0; i < len; i++) {
            if (!n.get(i).isNumber()) {
                throw new ModelFormatException(source + ": " + what + "[" + i + "] is not a number");
            }
            v[i] = n.get(i).asDouble();
        }
        return v;
    }

    /** A d x d column-major matrix as d rows. */
    private static void addMatrix(ArrayNode into, double[] m, int d) {
        for (int i = 0; i < d; i++) {
            ArrayNode row = into.addArray();
            for (int j = 0; j < d; j++) {
                row.add(m[i + j * d]);
            }
        }
    }

    /** d rows of d numbers into a column-major matrix at {@code off}. */
    private static void readMatrix(JsonNode rows, int d, String name, String source, double[] out, int off) {
        checkLength(rows, d, name, source);
        for (int i = 0; i < d; i++) {
            double[] row = vector(rows.get(i), d, name + "[" + i + "]", source);
            for (int j = 0; j < d; j++) {
                out[off + i + j * d] = row[j];
            }
        }
    }
}
