package dev.mixem.family;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A family's JSON form of its parameters, the {@code params} object inside {@code model.json}'s envelope
 * (format version 2). The envelope (format version, family, structure, summary, provenance, checksum) is
 * the model's; only what is inside {@code params} differs between families.
 *
 * @param <P> the family's parameters
 */
public interface ParamsCodec<P> {

    /** The family's serialized name, as {@code model.json}'s {@code family} field holds it. */
    String family();

    /** The parameters' structure (for Gaussian, the covariance structure), or null if the family has none. */
    String structure(P params);

    /** Writes the parameters into {@code into}. */
    void write(P params, ObjectNode into);

    /**
     * Reads parameters of the given structure from {@code node}, validating shapes and values.
     *
     * @throws IllegalArgumentException naming the field at fault
     */
    P read(String structure, JsonNode node);
}
