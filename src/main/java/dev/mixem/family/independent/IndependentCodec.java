package dev.mixem.family.independent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.family.ParamsCodec;

import java.util.ArrayList;
import java.util.List;

import static dev.mixem.family.JsonFields.addArray;
import static dev.mixem.family.JsonFields.checkLength;
import static dev.mixem.family.JsonFields.integer;
import static dev.mixem.family.JsonFields.require;
import static dev.mixem.family.JsonFields.vector;

/**
 * The parameters of a Bernoulli, Poisson or categorical mixture in JSON: {@code k}, {@code dimension},
 * {@code weights} [K], and {@code probabilities} [K][D] (Bernoulli) or {@code rates} [K][D] (Poisson); categorical
 * has {@code variables} [V], {@code levels} [V][L_v] and {@code probabilities} [K][V][L_v]. Reading checks every
 * shape and that each value lies in the family's range (and each variable's probabilities sum to 1).
 */
public final class IndependentCodec implements ParamsCodec<IndependentParams> {
    private final Link link;

    IndependentCodec(Link link) {
        // (package-private: IndependentFamily.codec(link) hands them out)
        this.link = link;
    }

    @Override
    public String family() {
        return link.family();
    }

    /** These families have no structure. */
    @Override
    public String structure(IndependentParams params) {
        return null;
    }

    @Override
    public void write(IndependentParams p, ObjectNode into) {
        into.put("k", p.k());
        into.put("dimension", p.dim());
        addArray(into.putArray("weights"), p.weights());
        Categories cat = p.categories();
        if (cat != null) {
            ArrayNode vars = into.putArray("variables");
            cat.variables().forEach(vars::add);
            ArrayNode levels = into.putArray("levels");
            for (List<String> l : cat.levels()) {
                ArrayNode a = levels.addArray();
                l.forEach(a::add);
            }
        }
        ArrayNode means = into.putArray(link.field());
        for (int c = 0; c < p.k(); c++) {
            double[] mu = p.mean(c);
            if (cat == null) {
                addArray(means.addArray(), mu);
                continue;
            }
            // Categorical: per component, per variable, its levels' probabilities.
            ArrayNode comp = means.addArray();
            for (int v = 0; v < cat.variableCount(); v++) {
                int o = cat.offset(v);
                addArray(comp.addArray(), java.util.Arrays.copyOfRange(mu, o, o + cat.size(v)));
            }
        }
    }

    @Override
    public IndependentParams read(String structure, JsonNode node) {
        int k = integer(node, "k");
        int d = integer(node, "dimension");
        if (k < 1 || d < 1) {
            throw new IllegalArgumentException("k and dimension must be at least 1, got " + k + " and " + d);
        }
        double[] weights = vector(require(node, "weights"), k, "weights");
        JsonNode rows = require(node, link.field());
        checkLength(rows, k, link.field());
        double[] means = new double[k * d];
        Categories cat = null;
        if (link == Link.CATEGORICAL) {
            JsonNode vars = require(node, "variables");
            JsonNode levels = require(node, "levels");
            checkLength(levels, vars.size(), "levels");
            List<String> names = new ArrayList<>();
            List<List<String>> lv = new ArrayList<>();
            for (int v = 0; v < vars.size(); v++) {
                names.add(vars.get(v).asText());
                List<String> l = new ArrayList<>();
                levels.get(v).forEach(x -> l.add(x.asText()));
                lv.add(l);
            }
            cat = new Categories(names, lv);
            if (cat.dim() != d) {
                throw new IllegalArgumentException("the levels number " + cat.dim() + " in all, not the dimension " + d);
            }
            for (int c = 0; c < k; c++) {
                checkLength(rows.get(c), cat.variableCount(), link.field() + "[" + c + "]");
                for (int v = 0; v < cat.variableCount(); v++) {
                    double[] p = vector(rows.get(c).get(v), cat.size(v), link.field() + "[" + c + "][" + v + "]");
                    System.arraycopy(p, 0, means, c * d + cat.offset(v), p.length);
                }
            }
        } else {
            for (int c = 0; c < k; c++) {
                System.arraycopy(vector(rows.get(c), d, link.field() + "[" + c + "]"), 0, means, c * d, d);
            }
        }
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("weights sum to " + sum + ", not 1");
        }
        return new IndependentParams(link, k, d, weights, means, cat);
    }
}
