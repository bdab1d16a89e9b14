package dev.mixem.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spark's save modes for every output mixem writes, on any Hadoop file system.
 * <ul>
 * <li>An output path that exists is an error naming the path and {@code --overwrite} (Spark's
 * {@code ErrorIfExists}); an empty directory counts as free.</li>
 * <li>With {@code --overwrite} only that output is replaced, and only if everything in it is something this
 * kind of output consists of (Spark's part files, {@code model.json}, ...): a file mixem did not write is
 * never deleted, whatever the flags.</li>
 * <li>The new output is written to a hidden temporary sibling and renamed into place, so a crash leaves the
 * old output or the new one, never half of one.</li>
 * </ul>
 * Paths are claimed ({@link #claim}) before the work starts, so a refusal comes in seconds, not after a fit.
 */
public final class Outputs {

    /** What an output consists of: the names it may hold (and, for directories inside it, their kind). */
    public enum Kind {
        /** A file (bench's JSON, generate's truth file). */
        FILE("a file", Map.of()),
        /** A directory written by a Spark DataFrame writer. */
        DATASET("a Spark dataset directory", Map.of(
                "part-.*", "", "_SUCCESS", "", "_committed_.*", "", "_started_.*", "", "_temporary", "*",
                "_metadata", "", "_common_metadata", "")),
        /** A model directory written by {@link ModelStore}. */
        MODEL("a model directory", Map.of("model\\.json", "", "trace\\.csv", "", "covariances\\.json", "")),
        /** A {@code compare} report directory. */
        REPORT("a comparison report directory", Map.of("report\\.html", "", "compare\\.json", "")),
        /** A {@code select} directory. */
        SELECT("a model selection directory", Map.of("select\\.json", "", "report\\.html", "", "model", "MODEL")),
        /** The directory of {@code demo}. */
        DEMO("a demo directory", Map.of("data\\.csv", "DATASET", "data\\.csv\\.truth\\.json", "",
                "model", "MODEL", "predictions\\.(parquet|csv|json)", "DATASET"));

        private final String description;
        /** Name pattern to the kind of a directory of that name ("" a file, "*" anything inside). */
        private final Map<String, String> entries;

        Kind(String description, Map<String, String> entries) {
            this.description = description;
            this.entries = entries;
        }

        public String description() {
            return description;
        }

        /** null: not part of this kind; "": a file; "*": anything; else the kind of a directory. */
        String entry(String name) {
            Matcher crc = HIDDEN.matcher(name);
            String base = crc.matches() ? crc.group(1) : name;
            for (Map.Entry<String, String> e : entries.entrySet()) {
                if (base.matches(e.getKey())) {
                    // a checksum or a leftover temporary of one of this kind's entries
                    return crc.matches() ? "*" : e.getValue();
                }
            }
            return null;
        }
    }

    /** Hadoop's checksum files and mixem's own temporary files beside a file it writes. */
    private static final Pattern HIDDEN = Pattern.compile("\\.(.+?)(?:\\.mixem-[0-9a-f-]+)?(?:\\.tmp)?(?:\\.crc)?");

    private Outputs() {
    }

    /**
     * Checks that {@code path} may be written as an output of this kind: it does not exist, is an empty
     * directory, or (with {@code overwrite}) holds only what such an output holds.
     *
     * @throws OutputExistsException naming the path and what to do
     */
    public static Target claim(Configuration conf, String path, Kind kind, boolean overwrite) {
        Target t = new Target(conf, path, kind, overwrite);
        t.check(false);
        return t;
    }

    /** An output path, claimed; {@link #write} or {@link #writeString} fills it. */
    public static final class Target {
        private final Configuration conf;
        private final String path;
        private final Kind kind;
        private final boolean overwrite;

        private Target(Configuration conf, String path, Kind kind, boolean overwrite) {
            this.conf = conf;
            this.path = path.replaceAll("(?<=.)/+$", "");
            this.kind = kind;
            this.overwrite = overwrite;
        }

        public String path() {
            return path;
        }

        /**
         * Writes the output by {@code writer}, which receives a fresh temporary path beside the target (a
         * directory it creates, or for {@link Kind#FILE} a file), then renames it into place, replacing the
         * old output only as {@link #claim} allowed.
         */
        public void write(Consumer<String> writer) {
            Path target = new Path(path);
            try {
                FileSystem fs = target.getFileSystem(conf);
                target = fs.makeQualified(target);
                Path parent = target.getParent();
                if (parent != null) {
                    fs.mkdirs(parent);
                }
                String id = UUID.randomUUID().toString();
                Path tmp = new Path(parent, "." + target.getName() + ".mixem-" + id + (kind == Kind.FILE ? ".tmp" : ""));
                try {
                    writer.accept(tmp.toString());
                } catch (RuntimeException | Error e) {
                    deleteQuietly(fs, tmp);
                    throw e;
                }
                try {
                    check(true);
                } catch (OutputExistsException e) {
                    deleteQuietly(fs, tmp);
                    throw e;
                }
                if (kind == Kind.FILE) {
                    renameOver(fs, tmp, target);
                    return;
                }
                Path old = null;
                if (fs.exists(target)) {
                    old = new Path(parent, "." + target.getName() + ".mixem-old-" + id);
                    if (!fs.rename(target, old)) {
                        deleteQuietly(fs, tmp);
                        throw new IOException("could not move the old output " + target + " aside");
                    }
                }
                if (!fs.rename(tmp, target)) {
                    if (old != null) {
                        fs.rename(old, target);
                    }
                    throw new IOException("could not rename " + tmp + " to " + target + " (the new output is left at "
                            + tmp + ")");
                }
                if (old != null) {
                    fs.delete(old, true);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
            }
        }

        /** Writes a text file (only for {@link Kind#FILE}). */
        public void writeString(String content) {
            if (kind != Kind.FILE) {
                throw new IllegalStateException(path + " is " + kind.description() + ", not a file");
            }
            write(tmp -> {
                Path p = new Path(tmp);
                try (var out = p.getFileSystem(conf).create(p, false)) {
                    out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + tmp + ": " + e.getMessage(), e);
                }
            });
        }

        /** @param late whether the work is done (the path was free or replaceable when claimed) */
        private void check(boolean late) {
            Path p = new Path(path);
            try {
                FileSystem fs = p.getFileSystem(conf);
                if (!fs.exists(p)) {
                    return;
                }
                FileStatus st = fs.getFileStatus(p);
                if (kind == Kind.FILE) {
                    if (st.isDirectory()) {
                        throw new OutputExistsException(path, "output " + path + " is a directory, where a file is to be"
                                + " written; choose another path");
                    }
                    if (!overwrite) {
                        throw exists(late);
                    }
                    return;
                }
                if (!st.isDirectory()) {
                    throw new OutputExistsException(path, "output " + path + " is a file, where " + kind.description()
                            + " is to be written; mixem replaces only its own outputs: move it or choose another path");
                }
                FileStatus[] children = fs.listStatus(p);
                if (children.length == 0) {
                    return;
                }
                if (!overwrite) {
                    throw exists(late);
                }
                List<String> foreign = new ArrayList<>();
                foreign(fs, p, kind, "", foreign);
                if (!foreign.isEmpty()) {
                    throw new OutputExistsException(path, "output " + path + " holds "
                            + String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                            + (foreign.size() > 3 ? " and " + (foreign.size() - 3) + " more" : "")
                            + ", which mixem did not write (it is not part of " + kind.description() + "); --overwrite"
                            + " replaces only mixem's own output: move them or choose another path");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot inspect " + path + ": " + e.getMessage(), e);
            }
        }

        private OutputExistsException exists(boolean late) {
            return new OutputExistsException(path, "output " + path + (late ? " appeared while mixem was working"
                    : " already exists") + ": pass --overwrite to replace it, or choose another path");
        }
    }

    private static void foreign(FileSystem fs, Path dir, Kind kind, String prefix, List<String> out) throws IOException {
        for (FileStatus c : fs.listStatus(dir)) {
            String name = c.getPath().getName();
            String entry = kind.entry(name);
            if (entry == null || (!entry.isEmpty() && !entry.equals("*") && !c.isDirectory())
                    || (entry.isEmpty() && c.isDirectory())) {
                out.add(prefix + name + (c.isDirectory() ? "/" : ""));
            } else if (c.isDirectory() && !entry.equals("*")) {
                foreign(fs, c.getPath(), Kind.valueOf(entry), prefix + name + "/", out);
            }
        }
    }

    /** Renames a file over another in one step where the file system can (HDFS, local). */
    static void renameOver(FileSystem fs, Path tmp, Path target) throws IOException {
        try {
            FileContext.getFileContext(target.toUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
        } catch (UnsupportedOperationException e) {
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
        }
    }

    private static void deleteQuietly(FileSystem fs, Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException | RuntimeException ignored) {
            // best effort: a hidden temporary left behind is ignored by readers
        }
    }
}
