package dev.mixem.family;

/** A fit cannot go on without producing a non-finite or non-positive-definite parameter. */
public final class NumericalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NumericalException(String message) {
        super(message);
    }
}
