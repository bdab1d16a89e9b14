package dev.mixem.data;

import java.util.Locale;

/**
 * Input that mixem cannot use, with where it was found (file, row, column) when known, and for a single bad
 * row its {@link Reason}, by which skipped rows are counted.
 */
public final class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why one row cannot be used. */
    public enum Reason {
        MALFORMED_ROW, MISSING_VALUE, NOT_A_NUMBER, NAN, INFINITE, WRONG_VECTOR_SIZE, NEGATIVE_WEIGHT,
        /** A feature value other than 0 or 1 for the bernoulli family. */
        NOT_BINARY,
        /** A feature value that is not a non-negative integer for the poisson family. */
        NOT_A_COUNT,
        /** A categorical level beyond the --max-levels most frequent of its column (under skip). */
        RARE_LEVEL,
        /**
         * Every feature missing, under the marginalize policy: the row carries no information and is always
         * skipped and counted, whatever the invalid-row policy.
         */
        ALL_MISSING;

        /** The name used in model.json and the log, e.g. {@code notANumber}. */
        public String key() {
            String[] parts = name().toLowerCase(Locale.ROOT).split("_");
            StringBuilder sb = new StringBuilder(parts[0]);
            for (int i = 1; i < parts.length; i++) {
                sb.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
            }
            return sb.toString();
        }
    }

    private final Reason reason;

    public InvalidInputException(String message) {
        super(message);
        this.reason = null;
    }

    public InvalidInputException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
        this.reason = null;
    }

    /** The reason when one row is at fault, or null when the input as a whole is. */
    public Reason reason() {
        return reason;
    }
}
