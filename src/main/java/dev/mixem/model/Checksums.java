package dev.mixem.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The {@code checksum} field of mixem's JSON files: SHA-256 of the document without that field, serialized
 * compactly by Jackson (which writes every double so that it reads back exactly). A file whose content no
 * longer matches it was damaged or edited, and is refused rather than half-trusted.
 */
public final class Checksums {
    public static final String FIELD = "checksum";
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private Checksums() {
    }

    /** Sets {@code root.checksum} to the checksum of the rest of root. */
    public static void seal(ObjectNode root) {
        root.remove(FIELD);
        root.put(FIELD, of(root));
    }

    /**
     * Checks {@code root.checksum} when present ({@code required}: it must be present).
     *
     * @throws ModelFormatException naming the source when it is missing or does not match
     */
    public static void verify(JsonNode root, String source, boolean required) {
        JsonNode sum = root.get(FIELD);
        if (sum == null) {
            if (required) {
                throw new ModelFormatException(source + " has no checksum; it is not a complete mixem file");
            }
            return;
        }
        ObjectNode rest = ((ObjectNode) root).deepCopy();
        rest.remove(FIELD);
        String actual = of(rest);
        if (!actual.equals(sum.asText())) {
            throw new ModelFormatException(source + ": the content does not match its checksum (the file is"
                    + " corrupt, or was edited; to use a hand-edited model.json, delete its \"checksum\" field)");
        }
    }

    static String of(JsonNode node) {
        try {
            byte[] bytes = COMPACT.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
