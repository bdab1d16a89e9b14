package dev.mixem.data;

import java.util.Locale;

/** The file formats mixem reads through Spark's DataFrame readers. */
public enum InputFormat {
    CSV("csv"), PARQUET("parquet"), LIBSVM("libsvm"), ORC("orc");

    private final String serializedName;

    InputFormat(String serializedName) {
        this.serializedName = serializedName;
    }

    public String serializedName() {
        return serializedName;
    }

    public static InputFormat parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (InputFormat f : values()) {
            if (f.serializedName.equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "'; expected csv, parquet, libsvm or orc");
    }

    /** The format a path's extension names (a trailing slash and compression suffixes are ignored). */
    public static InputFormat fromPath(String path) {
        String p = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        p = p.replaceAll("\\.(gz|bz2|snappy|zst|lz4|deflate)$", "");
        if (p.endsWith(".csv") || p.endsWith(".tsv")) {
            return CSV;
        }
        if (p.endsWith(".parquet")) {
            return PARQUET;
        }
        if (p.endsWith(".orc")) {
            return ORC;
        }
        if (p.endsWith(".libsvm") || p.endsWith(".svm")) {
            return LIBSVM;
        }
        throw new IllegalArgumentException("cannot tell the format of '" + path
                + "' from its extension; pass --format csv|parquet|libsvm|orc");
    }

    @Override
    public String toString() {
        return serializedName;
    }
}
