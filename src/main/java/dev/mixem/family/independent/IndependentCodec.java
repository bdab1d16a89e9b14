package dev.mixem.family.independent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.family.ParamsCodec;

import static dev.mixem.family.JsonFields.addArray;
import static dev.mixem.family.JsonFields.checkLength;
import static dev.mixem.family.JsonFields.integer;
import static dev.mixem.family.JsonFields.require;
import static dev.mixem.family.JsonFields.vector;

/**
 * The parameters of a Bernoulli or Poisson mixture in JSON: {@code k}, {@code dimension}, {@code weights} [K],
 * and {@code probabilities} [K][D] (Bernoulli) or {@code rates} [K][D] (Poisson). Reading checks every shape
 * and that each value lies in the family's range.
 */
public final class IndependentCodec implements ParamsCodec<IndependentParams> {
    private final Link link;

    IndependentCodec(Link link) {
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
        ArrayNode means = into.putArray(link.field());
        for (int c = 0; c < p.k(); c++) {
            addArray(means.addArray(), p.mean(c));
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
        for (int c = 0; c < k; c++) {
            System.arraycopy(vector(rows.get(c), d, link.field() + "[" + c + "]"), 0, means, c * d, d);
        }
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("weights sum to " + sum + ", not 1");
        }
        return new IndependentParams(link, k, d, weights, means);
    }
}
