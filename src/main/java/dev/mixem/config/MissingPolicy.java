package dev.mixem.config;

import java.util.Locale;

/**
 * What a missing feature cell (an empty CSV field, a null, NaN) means. Infinities and unparseable cells are
 * invalid input either way ({@link InvalidPolicy}).
 */
public enum MissingPolicy {
    /**
     * Keep the row: EM scores it on its observed cells and treats the missing ones as latent, with their
     * conditional expectations in the statistics. A row with no observed feature is skipped and counted.
     */
    MARGINALIZE("marginalize"),
    /** A missing cell is an invalid row (then {@link InvalidPolicy} decides: stop, or skip and count). */
    FAIL("fail");

    private final String serializedName;

    MissingPolicy(String serializedName) {
        this.serializedName = serializedName;
    }

    public String serializedName() {
        return serializedName;
    }

    public static MissingPolicy parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (MissingPolicy p : values()) {
            if (p.serializedName.equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown missing-value policy '" + name + "'; expected marginalize or fail");
    }
}
