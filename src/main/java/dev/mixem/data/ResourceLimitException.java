package dev.mixem.data;

/**
 * A fit that cannot run in the memory it was given, found before the work: the message says what would not
 * fit, by how much, and what to change.
 */
public final class ResourceLimitException extends RuntimeException {
    public ResourceLimitException(String message) {
        super(message);
    }
}
