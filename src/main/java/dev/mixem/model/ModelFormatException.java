package dev.mixem.model;

/** A model file that mixem cannot load: corrupt, truncated, of an unknown format version, or inconsistent. */
public final class ModelFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
