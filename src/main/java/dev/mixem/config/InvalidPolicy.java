package dev.mixem.config;

import java.util.Locale;

/** What to do with an input row that cannot be used (unparseable, missing, NaN, infinite, wrong width, ...). */
public enum InvalidPolicy {
    /** Stop with an error naming the file, row and column. */
    FAIL("fail"),
    /** Leave the row out, and count it by reason in the log and in model.json. */
    SKIP("skip");

    private final String serializedName;

    InvalidPolicy(String serializedName) {
        this.serializedName = serializedName;
    }

    public String serializedName() {
        return serializedName;
    }

    public static InvalidPolicy parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (InvalidPolicy p : values()) {
            if (p.serializedName.equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown invalid-row policy '" + name + "'; expected fail or skip");
    }
}
