package dev.mixem.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.family.registry.Families;
import dev.mixem.family.MixtureParams;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.ParamsCodec;
import dev.mixem.family.NumericalException;
import dev.mixem.fit.TraceEntry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fitted mixture of any family with what produced it, and its {@code model.json} form (format version
 * {@value #FORMAT_VERSION}; the README lists every field). Immutable.
 *
 * @param params        the mixture
 * @param featureNames  names of the features, in order (for a vector column, name[i])
 * @param featuresCol   the vector column the features came from, or null for scalar columns
 * @param summary       how the fit went
 * @param provenance    mixem and Spark versions, BLAS, configuration, input description
 */
public record MixtureModel(MixtureParams params, List<String> featureNames, String featuresCol,
                           FitSummary summary, Map<String, Object> provenance) {

    /**
     * Version 2: an envelope (formatVersion, family, covarianceType, featureNames, featuresCol, params,
     * summary, provenance, checksum) with the family's {@link ParamsCodec} inside {@code params}. Version 1
     * (the same fields, flat) still loads.
     */
    public static final int FORMAT_VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public MixtureModel {
        featureNames = List.copyOf(featureNames);
        provenance = provenance == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        if (featureNames.size() != params.dim()) {
            throw new IllegalArgumentException(featureNames.size() + " feature names for dimension " + params.dim());
        }
    }

    /**
     * The input columns the model reads: the feature columns, or for a categorical model its variables (whose
     * levels are the features).
     */
    public List<String> inputColumns() {
        if (params instanceof dev.mixem.family.independent.IndependentParams p && p.categories() != null) {
            return p.categories().variables();
        }
        return featureNames;
    }

    /** The family of the model, as {@code --family} names it. */
    public dev.mixem.config.Family family() {
        return Families.kind(params);
    }

    /**
     * The Gaussian parameters.
     *
     * @throws IllegalArgumentException when the model is of another family
     */
    public GaussianParams gaussian() {
        if (params instanceof GaussianParams g) {
            return g;
        }
        throw new IllegalArgumentException("the model is a " + params.family().name()
                + " mixture; this needs a gaussian one");
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
                + Families.freeParameters(params) * Math.log(summary.totalWeight());
    }

    /** Akaike information criterion, -2 log L + 2p (lower is better). */
    public double aic() {
        return -2 * summary.avgLogLikelihood() * summary.totalWeight() + 2.0 * Families.freeParameters(params);
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("formatVersion", FORMAT_VERSION);
        ParamsCodec<MixtureParams> codec = Families.codecOf(params);
        root.put("family", codec.family());
        String structure = codec.structure(params);
        if (structure != null) {
            root.put("covarianceType", structure);
        }
        ArrayNode names = root.putArray("featureNames");
        featureNames.forEach(names::add);
        if (featuresCol == null) {
            root.putNull("featuresCol");
        } else {
            root.put("featuresCol", featuresCol);
        }
        codec.write(params, root.putObject("params"));
        ObjectNode sm = root.putObject("summary");
        FitSummary s = summary;
        sm.put("regCovar", s.regCovar());
        sm.put("avgLogLikelihood", s.avgLogLikelihood());
        sm.put("bic", bic());
        sm.put("aic", aic());
        sm.put("iterations", s.iterations());
        sm.put("converged", s.converged());
        sm.put("rows", s.rows());
        sm.put("totalWeight", s.totalWeight());
        if (s.weightCol() == null) {
            sm.putNull("weightCol");
        } else {
            sm.put("weightCol", s.weightCol());
        }
        ObjectNode invalid = sm.putObject("invalidRows");
        invalid.put("policy", s.invalidPolicy());
        invalid.put("skipped", s.skippedTotal());
        ObjectNode byReason = invalid.putObject("byReason");
        s.skippedRows().forEach(byReason::put);
        ObjectNode missing = sm.putObject("missingValues");
        missing.put("policy", s.missing().policy());
        missing.put("cells", s.missing().cells());
        missing.put("rowsWithMissing", s.missing().rowsWithMissing());
        missing.put("allMissingRowsSkipped", s.missing().allMissingRowsSkipped());
        sm.put("kRequested", s.kRequested());
        sm.put("droppedComponents", s.droppedComponents());
        sm.put("seed", s.seed());
        ArrayNode restarts = sm.putArray("restartLogLikelihoods");
        s.restartLogLikelihoods().forEach(restarts::add);
        ArrayNode trace = sm.putArray("trace");
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
            t.put("constraintsHeld", e.constraintsHeld());
        }
        root.set("provenance", JSON.valueToTree(provenance));
        Checksums.seal(root);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }


    /**
     * Parses {@code model.json}. Fails with a {@link ModelFormatException} naming the problem on malformed or
     * truncated JSON, an unknown format version, missing fields, inconsistent shapes, non-finite values or a
     * covariance that is not positive definite.
     */
    public static MixtureModel fromJson(String json, String source) {
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
        int formatVersion = version.asInt();
        if (formatVersion != FORMAT_VERSION && formatVersion != 1) {
            throw new ModelFormatException(source + " has format version " + version.asText()
                    + ", which this mixem (" + Version.mixem() + ") cannot read; it reads versions 1 and "
                    + FORMAT_VERSION);
        }
        Checksums.verify(root, source, false);
        try {
            String family = text(root, "family", source);
            ParamsCodec<? extends MixtureParams> codec;
            try {
                codec = Families.codec(family);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(source + ": unknown family '" + family + "'");
            }
            // The families with a covariance structure (Gaussian, Student-t) name it in the envelope.
            boolean gaussian = dev.mixem.config.Family.parse(family).hasCovariance();
            // Version 1 kept parameters and summary at the top level; version 2 nests them.
            JsonNode paramsNode = formatVersion == 1 ? root : require(root, "params", source);
            JsonNode sn = formatVersion == 1 ? root : require(root, "summary", source);
            MixtureParams params = codec.read(gaussian ? text(root, "covarianceType", source) : null, paramsNode);
            int k = params.k();
            int d = params.dim();
            List<String> names = new ArrayList<>();
            JsonNode namesNode = require(root, "featureNames", source);
            checkLength(namesNode, d, "featureNames", source);
            namesNode.forEach(n -> names.add(n.asText()));
            JsonNode fc = root.get("featuresCol");
            String featuresCol = fc == null || fc.isNull() ? null : fc.asText();
            List<TraceEntry> trace = new ArrayList<>();
            JsonNode traceNode = sn.get("trace");
            if (traceNode != null) {
                TraceEntry previous = null;
                for (JsonNode t : traceNode) {
                    // Models written before the trace recorded constraintsHeld do not say: read as held.
                    previous = TraceEntry.read(previous, t.path("iteration").asInt(),
                            t.path("avgLogLikelihood").asDouble(), t.path("passes").asDouble(t.path("iteration").asInt()),
                            t.path("seconds").asDouble(), t.path("likelihoodDecreased").asBoolean(),
                            t.path("constraintsHeld").asBoolean(true));
                    trace.add(previous);
                }
            }
            List<Double> restarts = new ArrayList<>();
            JsonNode rn = sn.get("restartLogLikelihoods");
            if (rn != null) {
                rn.forEach(n -> restarts.add(n.asDouble()));
            }
            JsonNode wc = sn.get("weightCol");
            JsonNode invalid = sn.path("invalidRows");
            Map<String, Long> skipped = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : invalid.path("byReason").properties()) {
                skipped.put(e.getKey(), e.getValue().asLong());
            }
            JsonNode mv = sn.path("missingValues");
            MissingSummary missing = new MissingSummary(mv.path("policy").asText("marginalize"),
                    mv.path("cells").asLong(0), mv.path("rowsWithMissing").asLong(0),
                    mv.path("allMissingRowsSkipped").asLong(0));
            FitSummary summary = new FitSummary(number(sn, "avgLogLikelihood", source),
                    integer(sn, "iterations", source), require(sn, "converged", source).asBoolean(),
                    require(sn, "rows", source).asLong(), sn.path("totalWeight").asDouble(
                    require(sn, "rows", source).asDouble()),
                    wc == null || wc.isNull() ? null : wc.asText(), sn.path("kRequested").asInt(k),
                    sn.path("droppedComponents").asInt(0), number(sn, "regCovar", source),
                    require(sn, "seed", source).asLong(), trace, restarts,
                    invalid.path("policy").asText("fail"), skipped, missing);
            Map<String, Object> provenance = new LinkedHashMap<>();
            JsonNode prov = root.get("provenance");
            if (prov != null && prov.isObject()) {
                for (Map.Entry<String, JsonNode> e : prov.properties()) {
                    provenance.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
                }
            }
            return new MixtureModel(params, names, featuresCol, summary, provenance);
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
}
