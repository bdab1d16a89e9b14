package dev.mixem.data;

/**
 * An output path is already taken: it exists and {@code --overwrite} was not given, or it holds something
 * mixem did not write, which no flag lets mixem delete.
 */
public final class OutputExistsException extends RuntimeException {
    private final String path;

    public OutputExistsException(String path, String message) {
        super(message);
        this.path = path;
    }

    /** The output path that is in the way. */
    public String path() {
        return path;
    }
}
