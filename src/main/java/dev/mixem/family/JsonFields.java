package dev.mixem.family;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

/** Reading and writing the fields of a family's {@code params} object, with errors that name the field. */
public final class JsonFields {
    private JsonFields() {
    }

    public static JsonNode require(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException("the field '" + field + "' is missing");
        }
        return n;
    }

    public static int integer(JsonNode root, String field) {
        JsonNode n = require(root, field);
        if (!n.canConvertToInt()) {
            throw new IllegalArgumentException("field '" + field + "' is not an integer");
        }
        return n.asInt();
    }

    public static void checkLength(JsonNode n, int len, String what) {
        if (n == null || !n.isArray() || n.size() != len) {
            throw new IllegalArgumentException("'" + what + "' must be an array of " + len + " entries");
        }
    }

    public static double[] vector(JsonNode n, int len, String what) {
        checkLength(n, len, what);
        double[] v = new double[len];
        for (int i = 0; i < len; i++) {
            if (!n.get(i).isNumber()) {
                throw new IllegalArgumentException(what + "[" + i + "] is not a number");
            }
            v[i] = n.get(i).asDouble();
        }
        return v;
    }

    public static void addArray(ArrayNode node, double[] values) {
        for (double v : values) {
            node.add(v);
        }
    }
}
