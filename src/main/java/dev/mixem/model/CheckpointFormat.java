package dev.mixem.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.config.CovarianceType;
import dev.mixem.family.registry.Families;
import dev.mixem.family.MixtureParams;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.studentt.StudentTParams;
import dev.mixem.fit.FitCheckpoint;
import dev.mixem.fit.FitResult;
import dev.mixem.fit.TraceEntry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code checkpoint.json}: a fit's state ({@link FitCheckpoint}) with the configuration and a fingerprint of
 * the input it belongs to, and a checksum. Doubles are written so that they read back bit for bit. Reading
 * refuses a truncated or altered file, another format version, and a checkpoint of another configuration
 * or input, each with a message saying which.
 */
public final class CheckpointFormat {
    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CheckpointFormat() {
    }

    /**
     * @param configuration the fit's configuration (name/value pairs, as on the command line)
     * @param input         what the input is (path, format, columns, partitions), for messages
     * @param fingerprint   a digest of the input's content as loaded
     */
    public static String toJson(FitCheckpoint<MixtureParams> state, Map<String, Object> configuration, Map<String, Object> input,
                                String fingerprint) {
        ObjectNode root = JSON.createObjectNode();
        root.put("formatVersion", FORMAT_VERSION);
        root.put("kind", "mixem-checkpoint");
        root.set("configuration", JSON.valueToTree(configuration));
        ObjectNode in = root.putObject("input");
        in.set("description", JSON.valueToTree(input));
        in.put("fingerprint", fingerprint);
        ObjectNode s = root.putObject("state");
        s.put("restart", state.restart());
        s.put("iteration", state.iteration());
        s.set("params", params(state.params()));
        s.set("trace", trace(state.trace()));
        putNumber(s, "previousLogLikelihood", state.previousLogLikelihood());
        if (state.guaranteedChange() == Double.NEGATIVE_INFINITY) {
            s.putNull("guaranteedChange");
        } else {
            s.put("guaranteedChange", state.guaranteedChange());
        }
        s.put("dropped", state.dropped());
        ArrayNode lls = s.putArray("restartLogLikelihoods");
        state.restartLogLikelihoods().forEach(lls::add);
        FitResult<MixtureParams> b = state.best();
        if (b == null) {
            s.putNull("best");
        } else {
            ObjectNode bn = s.putObject("best");
            bn.set("params", params(b.params()));
            bn.put("avgLogLikelihood", b.avgLogLikelihood());
            bn.put("iterations", b.iterations());
            bn.put("converged", b.converged());
            bn.set("trace", trace(b.trace()));
            bn.put("droppedComponents", b.droppedComponents());
            bn.put("restart", b.restart());
            bn.put("rows", b.rows());
            bn.put("totalWeight", b.totalWeight());
        }
        Checksums.seal(root);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a checkpoint, checking that it belongs to this configuration and input.
     *
     * @throws ModelFormatException for a truncated, corrupt or foreign file, or another configuration or input
     */
    public static FitCheckpoint<MixtureParams> fromJson(String json, String source, Map<String, Object> configuration,
                                         String fingerprint) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(source + " is not valid JSON (truncated or corrupt?): " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || !"mixem-checkpoint".equals(root.path("kind").asText())) {
            throw new ModelFormatException(source + " is not a mixem checkpoint");
        }
        if (root.path("formatVersion").asInt(-1) != FORMAT_VERSION) {
            throw new ModelFormatException(source + " has checkpoint format version "
                    + root.path("formatVersion").asText() + "; this mixem reads version " + FORMAT_VERSION);
        }
        Checksums.verify(root, source, true);
        JsonNode saved = root.get("configuration");
        JsonNode now = reparsed(configuration);
        if (saved == null || !saved.equals(now)) {
            List<String> diffs = new ArrayList<>();
            TreeSet<String> keys = new TreeSet<>();
            if (saved != null) {
                saved.fieldNames().forEachRemaining(keys::add);
            }
            now.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                JsonNode a = saved == null ? null : saved.get(key);
                JsonNode b = now.get(key);
                if (a == null ? b != null : !a.equals(b)) {
                    diffs.add(key + " was " + a + ", now " + b);
                }
            }
            throw new ModelFormatException(source + " belongs to a fit with another configuration ("
                    + String.join("; ", diffs) + "); resume with the original options or start afresh");
        }
        if (!fingerprint.equals(root.path("input").path("fingerprint").asText())) {
            throw new ModelFormatException(source + " belongs to a fit of other input (it was made from "
                    + root.path("input").path("description") + "; the rows loaded now differ in number, weight"
                    + " or values); resume with the original input or start afresh");
        }
        try {
            JsonNode s = root.get("state");
            FitResult<MixtureParams> best = null;
            JsonNode b = s.get("best");
            if (b != null && !b.isNull()) {
                best = new FitResult<>(params(b.get("params")), b.get("avgLogLikelihood").asDouble(),
                        b.get("iterations").asInt(), b.get("converged").asBoolean(), trace(b.get("trace")),
                        b.get("droppedComponents").asInt(), b.get("restart").asInt(), List.of(),
                        b.get("rows").asLong(), b.get("totalWeight").asDouble());
            }
            List<Double> lls = new ArrayList<>();
            s.get("restartLogLikelihoods").forEach(n -> lls.add(n.asDouble()));
            JsonNode prev = s.get("previousLogLikelihood");
            JsonNode guaranteed = s.get("guaranteedChange");
            return new FitCheckpoint<>(s.get("restart").asInt(), s.get("iteration").asInt(), params(s.get("params")),
                    trace(s.get("trace")), prev == null || prev.isNull() ? Double.NaN : prev.asDouble(),
                    guaranteed == null || guaranteed.isNull() ? Double.NEGATIVE_INFINITY : guaranteed.asDouble(),
                    s.get("dropped").asInt(), best, lls);
        } catch (RuntimeException e) {
            throw new ModelFormatException(source + ": incomplete checkpoint state (" + e + ")");
        }
    }

    /** The map as it reads back from JSON text, so that it compares equal to a saved one (number types). */
    private static JsonNode reparsed(Map<String, Object> m) {
        try {
            return JSON.readTree(JSON.writeValueAsString(m));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Gaussian parameters as their compact arrays (restored bit for bit, weights not renormalized); Student-t
     * parameters as theirs and the degrees of freedom; another family's with its name, by its codec.
     */
    private static ObjectNode params(MixtureParams mp) {
        if (mp instanceof StudentTParams t) {
            ObjectNode n = params(t.gaussian());
            n.put("family", t.family().name());
            add(n.putArray("dof"), t.dof());
            n.put("fixedDof", t.fixedDof());
            return n;
        }
        ObjectNode n = JSON.createObjectNode();
        if (!(mp instanceof GaussianParams p)) {
            n.put("family", mp.family().name());
            Families.codecOf(mp).write(mp, n);
            return n;
        }
        n.put("covarianceType", p.type().serializedName());
        n.put("k", p.k());
        n.put("dimension", p.dim());
        if (p.factors() > 0) {
            n.put("factors", p.factors());
        }
        add(n.putArray("weights"), p.weights());
        add(n.putArray("means"), p.means());
        add(n.putArray("covariances"), p.covariances());
        return n;
    }

    private static MixtureParams params(JsonNode n) {
        if (n.has("family") && n.has("fixedDof")) {
            return new StudentTParams(gaussian(n), doubles(n.get("dof")), n.get("fixedDof").asDouble());
        }
        if (n.has("family")) {
            return Families.codec(n.get("family").asText()).read(null, n);
        }
        return gaussian(n);
    }

    private static GaussianParams gaussian(JsonNode n) {
        return GaussianParams.restore(CovarianceType.parse(n.get("covarianceType").asText()),
                n.has("factors") ? n.get("factors").asInt() : 0, n.get("k").asInt(),
                n.get("dimension").asInt(), doubles(n.get("weights")), doubles(n.get("means")),
                doubles(n.get("covariances")));
    }

    private static ArrayNode trace(List<TraceEntry> trace) {
        ArrayNode a = JSON.createArrayNode();
        for (TraceEntry e : trace) {
            a.addObject().put("iteration", e.iteration()).put("avgLogLikelihood", e.avgLogLikelihood())
                    .put("seconds", e.seconds()).put("likelihoodDecreased", e.likelihoodDecreased())
                    .put("passes", e.passes()).put("constraintsHeld", e.constraintsHeld());
        }
        return a;
    }

    private static List<TraceEntry> trace(JsonNode a) {
        List<TraceEntry> out = new ArrayList<>();
        TraceEntry previous = null;
        for (JsonNode e : a) {
            // Files written before the trace recorded constraintsHeld do not say: read as held.
            previous = TraceEntry.read(previous, e.get("iteration").asInt(), e.get("avgLogLikelihood").asDouble(),
                    e.path("passes").asDouble(e.get("iteration").asInt()), e.get("seconds").asDouble(),
                    e.get("likelihoodDecreased").asBoolean(), e.path("constraintsHeld").asBoolean(true));
            out.add(previous);
        }
        return out;
    }

    private static void add(ArrayNode a, double[] v) {
        for (double x : v) {
            a.add(x);
        }
    }

    private static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            if (!a.get(i).isNumber()) {
                throw new IllegalArgumentException("non-numeric entry " + a.get(i));
            }
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isNaN(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }
}
