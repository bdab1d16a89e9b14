package dev.mixem.data;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spark's save modes on the local file system, without Spark: refusals, replacement, and crash safety. */
class OutputsTest {
    private final Configuration conf = new Configuration();

    @TempDir
    Path dir;

    /** A writer that makes a directory of Spark-like part files. */
    private static void parts(String tmp, String content) {
        try {
            Path p = Path.of(new org.apache.hadoop.fs.Path(tmp).toUri().getPath());
            Files.createDirectories(p);
            Files.writeString(p.resolve("part-00000-abc.csv"), content);
            Files.writeString(p.resolve("_SUCCESS"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> names(Path p) throws IOException {
        try (Stream<Path> s = Files.list(p)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFreePathIsWrittenWithNoTemporaryLeftBehind() throws IOException {
        Path out = dir.resolve("out.csv");
        Outputs.claim(conf, out.toString(), Outputs.Kind.DATASET, false).write(t -> parts(t, "new"));
        assertEquals("new", Files.readString(out.resolve("part-00000-abc.csv")));
        assertEquals(List.of("out.csv"), names(dir));
    }

    @Test
    void anExistingOutputIsRefusedWithoutOverwriteAndReplacedWithIt() throws IOException {
        Path out = dir.resolve("out.csv");
        parts(out.toString(), "old");
        Files.writeString(out.resolve(".part-00000-abc.csv.crc"), "");
        OutputExistsException e = assertThrows(OutputExistsException.class,
                () -> Outputs.claim(conf, out.toString(), Outputs.Kind.DATASET, false));
        assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("--overwrite"), e.getMessage());
        assertEquals("old", Files.readString(out.resolve("part-00000-abc.csv")));

        Outputs.claim(conf, out.toString(), Outputs.Kind.DATASET, true).write(t -> parts(t, "new"));
        assertEquals("new", Files.readString(out.resolve("part-00000-abc.csv")));
        assertEquals(List.of("out.csv"), names(dir));
    }

    @Test
    void aForeignFileIsNeverDeletedEvenWithOverwrite() throws IOException {
        Path out = dir.resolve("d");
        Files.createDirectories(out);
        Files.writeString(out.resolve("thesis.tex"), "precious");
        for (boolean overwrite : new boolean[]{false, true}) {
            OutputExistsException e = assertThrows(OutputExistsException.class,
                    () -> Outputs.claim(conf, out.toString(), Outputs.Kind.DATASET, overwrite));
            assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
            assertTrue(overwrite ? e.getMessage().contains("thesis.tex") : e.getMessage().contains("--overwrite"),
                    e.getMessage());
        }
        assertEquals("precious", Files.readString(out.resolve("thesis.tex")));
    }

    @Test
    void anEmptyDirectoryIsFree() throws IOException {
        Path out = dir.resolve("empty");
        Files.createDirectories(out);
        Outputs.claim(conf, out.toString(), Outputs.Kind.MODEL, false).write(t -> {
            HadoopFiles.writeString(conf, t + "/model.json", "{}");
        });
        assertEquals("{}", Files.readString(out.resolve("model.json")));
    }

    @Test
    void aWriterThatFailsLeavesTheOldOutputWhole() throws IOException {
        Path out = dir.resolve("m");
        Files.createDirectories(out);
        Files.writeString(out.resolve("model.json"), "old");
        Files.writeString(out.resolve("trace.csv"), "old trace");
        Outputs.Target t = Outputs.claim(conf, out.toString(), Outputs.Kind.MODEL, true);
        assertThrows(IllegalStateException.class, () -> t.write(tmp -> {
            HadoopFiles.writeString(conf, tmp + "/model.json", "half");
            throw new IllegalStateException("crash");
        }));
        assertEquals("old", Files.readString(out.resolve("model.json")));
        assertEquals("old trace", Files.readString(out.resolve("trace.csv")));
        assertEquals(List.of("m"), names(dir));
    }

    @Test
    void somethingThatAppearsDuringTheWorkIsNotReplaced() throws IOException {
        Path out = dir.resolve("m");
        Outputs.Target t = Outputs.claim(conf, out.toString(), Outputs.Kind.MODEL, false);
        Files.createDirectories(out);
        Files.writeString(out.resolve("model.json"), "someone else's");
        OutputExistsException e = assertThrows(OutputExistsException.class,
                () -> t.write(tmp -> HadoopFiles.writeString(conf, tmp + "/model.json", "mine")));
        assertTrue(e.getMessage().contains("appeared"), e.getMessage());
        assertEquals("someone else's", Files.readString(out.resolve("model.json")));
        assertEquals(List.of("m"), names(dir));
    }

    @Test
    void aFileOutputIsReplacedOnlyWithOverwriteAndNeverOverADirectory() throws IOException {
        Path f = dir.resolve("bench.json");
        Files.writeString(f, "old");
        assertThrows(OutputExistsException.class, () -> Outputs.claim(conf, f.toString(), Outputs.Kind.FILE, false));
        assertEquals("old", Files.readString(f));
        Outputs.claim(conf, f.toString(), Outputs.Kind.FILE, true).writeString("new");
        assertEquals("new", Files.readString(f));
        assertEquals(List.of("bench.json"), names(dir).stream().filter(n -> !n.startsWith(".")).toList());
        assertFalse(names(dir).stream().anyMatch(n -> n.contains("mixem")), names(dir).toString());

        Path d = dir.resolve("adir");
        Files.createDirectories(d);
        OutputExistsException e = assertThrows(OutputExistsException.class,
                () -> Outputs.claim(conf, d.toString(), Outputs.Kind.FILE, true));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    }

    @Test
    void aUsersFileWhereADirectoryGoesIsKept() throws IOException {
        Path f = dir.resolve("preds");
        Files.writeString(f, "mine");
        OutputExistsException e = assertThrows(OutputExistsException.class,
                () -> Outputs.claim(conf, f.toString(), Outputs.Kind.DATASET, true));
        assertTrue(e.getMessage().contains("is a file"), e.getMessage());
        assertEquals("mine", Files.readString(f));
    }

    @Test
    void aDemoDirectoryIsCheckedAllTheWayDown() throws IOException {
        Path demo = dir.resolve("demo");
        parts(demo.resolve("data.csv").toString(), "x");
        Files.writeString(demo.resolve("data.csv.truth.json"), "{}");
        Files.createDirectories(demo.resolve("model"));
        Files.writeString(demo.resolve("model/model.json"), "{}");
        Files.writeString(demo.resolve("model/.model.json.crc"), "");
        parts(demo.resolve("predictions.parquet").toString(), "x");
        Outputs.claim(conf, demo.toString(), Outputs.Kind.DEMO, true);

        Files.writeString(demo.resolve("model/notes.txt"), "mine");
        OutputExistsException e = assertThrows(OutputExistsException.class,
                () -> Outputs.claim(conf, demo.toString(), Outputs.Kind.DEMO, true));
        assertTrue(e.getMessage().contains("model/notes.txt"), e.getMessage());
    }

    @Test
    void aCheckpointDirectoryWithACheckpointNeedsResumeOrOverwrite() throws IOException {
        Path ck = dir.resolve("ck");
        Files.createDirectories(ck);
        Files.writeString(ck.resolve(CheckpointStore.FILE), "{}");
        OutputExistsException e = assertThrows(OutputExistsException.class,
                () -> CheckpointStore.claim(conf, ck.toString(), dir.resolve("model").toString(), false, false));
        assertTrue(e.getMessage().contains("--resume") && e.getMessage().contains("--overwrite"), e.getMessage());
        CheckpointStore.claim(conf, ck.toString(), dir.resolve("model").toString(), true, false);
        CheckpointStore.claim(conf, ck.toString(), dir.resolve("model").toString(), false, true);
        assertThrows(IllegalArgumentException.class,
                () -> CheckpointStore.claim(conf, ck.toString(), ck + "/", false, true));
    }
}
