package dev.mixem.data;

import dev.mixem.SparkTestSession;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InvalidPolicy;
import dev.mixem.config.MissingPolicy;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of bad input fails with an error naming the problem, and the file, row and column where known. */
class BadInputTest {
    @TempDir
    Path dir;
    static SparkSession spark;

    @BeforeAll
    static void session() {
        spark = SparkTestSession.get();
    }

    String csv(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p.toString();
    }

    /** Loads the input as fit does and returns the message of the InvalidInputException it must raise. */
    static String loadError(InputSpec spec) {
        return loadError(spec, MissingPolicy.MARGINALIZE);
    }

    static String loadError(InputSpec spec, MissingPolicy missing) {
        // Spark rethrows task failures as SparkException, a checked exception in Java's eyes.
        Throwable e = assertThrows(Throwable.class, () -> {
            InputReader.Loaded in = InputReader.read(spark, spec);
            SparkBlockSource.load(spark, in.frame(), in.extractor(), spec.partitions(), 64, InvalidPolicy.FAIL,
                    missing).close();
        });
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidInputException) {
                return t.getMessage();
            }
        }
        throw new AssertionError("no InvalidInputException in the chain", e);
    }

    static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + message + "' should mention '" + p + "'");
        }
    }

    @Test
    void rejectsRowsOfWrongWidth() throws IOException {
        String f = csv("wide.csv", "a,b\n1,2\n3,4,5\n6,7\n");
        assertMentions(loadError(InputSpec.of(f)), "wide.csv", "data row 2", "malformed row", "3,4,5");
    }

    @Test
    void rejectsNonNumericCellWithFileRowAndColumn() throws IOException {
        String f = csv("text.csv", "a,b\n1,2\n3,x4\n5,6\n");
        assertMentions(loadError(InputSpec.of(f)), "text.csv", "data row 2", "column 'b'", "'x4' is not a number");
    }

    @Test
    void rejectsNonNumericCellBeyondTheSniffedRows() throws IOException {
        StringBuilder sb = new StringBuilder("a,b\n");
        for (int i = 0; i < 1500; i++) {
            sb.append(i).append(',').append(i == 1200 ? "oops" : String.valueOf(-i)).append('\n');
        }
        assertMentions(loadError(InputSpec.of(csv("late.csv", sb.toString()))), "data row 1201", "column 'b'", "'oops'");
    }

    @Test
    void rejectsNaNWhenMissingValuesFail() throws IOException {
        String f = csv("nan.csv", "a,b\n1,2\nNaN,4\n");
        assertMentions(loadError(InputSpec.of(f), MissingPolicy.FAIL), "data row 2", "column 'a'", "NaN");
    }

    @Test
    void rejectsInfinity() throws IOException {
        String f = csv("inf.csv", "a,b\n1,2\n3,-inf\n");
        assertMentions(loadError(InputSpec.of(f)), "data row 2", "column 'b'", "infinite");
        String g = csv("inf2.csv", "a,b\n1,Infinity\n");
        assertMentions(loadError(InputSpec.of(g)), "data row 1", "column 'b'", "infinite");
    }

    @Test
    void rejectsMissingCellWhenMissingValuesFail() throws IOException {
        String f = csv("missing.csv", "a,b\n1,2\n3,\n");
        assertMentions(loadError(InputSpec.of(f), MissingPolicy.FAIL), "data row 2", "column 'b'", "missing value");
    }

    @Test
    void keepsMissingCellsByDefaultAndCountsRowsWithNothingObserved() throws IOException {
        // Empty field, NaN token, blank field: missing cells; a row with both cells missing is skipped and
        // counted apart from invalid rows; infinity stays invalid.
        String f = csv("holes.csv", "a,b\n1,2\n3,\nNaN,4\n ,6\n,\n7,8\n");
        InputReader.Loaded in = InputReader.read(spark, InputSpec.of(f));
        try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), 0, 64)) {
            assertEquals(5, src.rows());
            assertEquals(3, src.missingCells());
            assertEquals(3, src.rowsWithMissing());
            assertEquals(1, src.allMissingRows());
            assertEquals(java.util.Map.of(), src.skippedRows());
            // Observed means: a = (1 + 3 + 7) / 3, b = (2 + 4 + 6 + 8) / 4.
            org.junit.jupiter.api.Assertions.assertArrayEquals(new double[]{11.0 / 3, 5.0}, src.observedMeans(), 1e-15);
        }
        String g = csv("holes-inf.csv", "a,b\n1,2\n3,\n5,inf\n");
        assertMentions(loadError(InputSpec.of(g)), "data row 3", "column 'b'", "infinite");
    }

    @Test
    void aFeatureWithNoObservedValueIsNamed() throws IOException {
        String f = csv("empty-col.csv", "a,b\n1,\n3,\n");
        InputReader.Loaded in = InputReader.read(spark, InputSpec.of(f).withFeatureCols(List.of("a", "b")));
        try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), 0, 64)) {
            Throwable e = assertThrows(IllegalArgumentException.class,
                    () -> src.requireObservedFeatures(in.extractor().featureNames()));
            assertMentions(e.getMessage(), "feature 'b'", "no observed value");
        }
    }

    @Test
    void rejectsEmptyFile() throws IOException {
        String f = csv("empty.csv", "");
        assertMentions(loadError(InputSpec.of(f)), "empty");
    }

    @Test
    void rejectsHeaderOnly() throws IOException {
        String f = csv("header.csv", "a,b\n");
        assertMentions(loadError(InputSpec.of(f)), "no data rows");
    }

    @Test
    void rejectsMissingPath() {
        assertMentions(loadError(InputSpec.of(dir.resolve("nope.csv").toString())), "does not exist", "nope.csv");
    }

    @Test
    void rejectsAbsentFeatureColumn() throws IOException {
        String f = csv("cols.csv", "a,b\n1,2\n");
        assertMentions(loadError(InputSpec.of(f).withFeatureCols(List.of("a", "zz"))), "column 'zz'", "a, b");
    }

    @Test
    void rejectsNegativeWeight() throws IOException {
        String f = csv("w.csv", "a,w\n1,1\n2,-3\n");
        assertMentions(loadError(InputSpec.of(f).withWeightCol("w")), "data row 2", "negative weight");
    }

    @Test
    void rejectsNaNOrMissingWeight() throws IOException {
        // Weights are never missing values: a NaN or empty weight is invalid even when features may be missing.
        String f = csv("wnan.csv", "a,w\n1,1\n2,NaN\n");
        assertMentions(loadError(InputSpec.of(f).withWeightCol("w")), "data row 2", "column 'w'", "NaN");
        String g = csv("wnull.csv", "a,w\n1,1\n2,\n");
        assertMentions(loadError(InputSpec.of(g).withWeightCol("w")), "data row 2", "column 'w'", "missing value");
    }

    @Test
    void rejectsADirectoryOfMixedFormats() throws IOException {
        Path mixed = dir.resolve("mixed");
        Files.createDirectories(mixed);
        Files.writeString(mixed.resolve("a.csv"), "a,b\n1,2\n");
        spark.createDataFrame(List.of(new Pair(1.0, 2.0)), Pair.class).write()
                .parquet(mixed.resolve("more.parquet").toString());
        InputSpec spec = new InputSpec(mixed.toString(), InputFormat.CSV, List.of(), null, null, 0);
        assertMentions(loadError(spec), "input directory", "read as csv", "parquet file(s)", "one format per input");
        // Spark's own bookkeeping files (_SUCCESS, .crc) do not count as another format.
        Path clean = dir.resolve("clean-dir");
        Files.createDirectories(clean);
        Files.writeString(clean.resolve("part-0.csv"), "a,b\n1,2\n3,5\n");
        Files.writeString(clean.resolve("_SUCCESS"), "");
        Files.writeString(clean.resolve(".part-0.csv.crc"), "x");
        InputReader.Loaded in = InputReader.read(spark, new InputSpec(clean.toString(), InputFormat.CSV, List.of(), null, null, 0));
        try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), 0, 64)) {
            assertEquals(2, src.rows());
        }
    }

    /** A bean for writing a small Parquet file. */
    public static class Pair implements java.io.Serializable {
        private double x;
        private double y;

        public Pair() {
        }

        Pair(double x, double y) {
            this.x = x;
            this.y = y;
        }

        public double getX() {
            return x;
        }

        public void setX(double x) {
            this.x = x;
        }

        public double getY() {
            return y;
        }

        public void setY(double y) {
            this.y = y;
        }
    }

    @Test
    void rejectsWeightsSummingToZero() throws IOException {
        String f = csv("w0.csv", "a,w\n1,0\n2,0\n");
        assertMentions(loadError(InputSpec.of(f).withWeightCol("w")), "sum to 0");
    }

    @Test
    void rejectsInputWithoutNumericColumns() throws IOException {
        String f = csv("words.csv", "name,kind\nx,y\n");
        assertMentions(loadError(InputSpec.of(f)), "no numeric column", "name, kind");
    }

    @Test
    void leavesTextColumnsOutOfTheFeatures() throws IOException {
        String f = csv("mixed.csv", "a,label,b\n1,setosa,2\n3,virginica,4\n");
        InputReader.Loaded in = InputReader.read(spark, InputSpec.of(f));
        assertEquals(List.of("a", "b"), in.extractor().featureNames());
    }

    @Test
    void rejectsKBelowOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FitConfig.defaults(0));
        assertMentions(e.getMessage(), "k must be at least 1");
    }

    @Test
    void rejectsKLargerThanTheRows() throws IOException {
        String f = csv("three.csv", "a,b\n1,2\n3,4\n5,7\n");
        InputReader.Loaded in = InputReader.read(spark, InputSpec.of(f));
        try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), 0, 64)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new EmFitter(FitListener.NONE).fit(src, FitConfig.defaults(4)));
            assertMentions(e.getMessage(), "k = 4", "number of rows (3)");
        }
    }

    @Test
    void rejectsKLargerThanTheDistinctRows() throws IOException {
        String f = csv("dups.csv", "a,b\n1,2\n1,2\n1,2\n5,5\n");
        InputReader.Loaded in = InputReader.read(spark, InputSpec.of(f));
        try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), 0, 64)) {
            for (dev.mixem.config.InitMethod init : dev.mixem.config.InitMethod.values()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> new EmFitter(FitListener.NONE).fit(src, FitConfig.defaults(3).withInit(init)));
                assertMentions(e.getMessage(), "fewer than k = 3 distinct rows");
            }
        }
    }

    @Test
    void loadingRecordsTheLargestMagnitudeOfEachFeature() throws IOException {
        String f = csv("mag.csv", "a,b\n1,-2.5e300\n-7,3\n");
        InputReader.Loaded in = InputReader.read(spark, InputSpec.of(f));
        try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), 0, 64)) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(new double[]{7, 2.5e300}, src.maxAbs(), 0.0);
        }
    }

    static final String DIRTY = "a,b\n1,2\n3,x\n5,NaN\n7,inf\n9,\n11,12,13\n15,16\n17,18\n";
    static final String CLEAN = "a,b\n1,2\n15,16\n17,18\n";

    @Test
    void skipPolicyCountsEveryBadRowByReason() throws IOException {
        String f = csv("dirty.csv", DIRTY);
        for (int partitions : new int[]{0, 3}) {
            InputSpec spec = InputSpec.of(f).withPartitions(partitions);
            InputReader.Loaded in = InputReader.read(spark, spec);
            try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), partitions, 2,
                    InvalidPolicy.SKIP, MissingPolicy.FAIL)) {
                assertEquals(3, src.rows());
                assertEquals(java.util.Map.of("malformedRow", 1L, "missingValue", 1L, "notANumber", 1L, "nan", 1L,
                        "infinite", 1L), src.skippedRows(), "partitions " + partitions);
            }
            // Marginalizing keeps the rows with a NaN or an empty cell.
            try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), partitions, 2,
                    InvalidPolicy.SKIP, MissingPolicy.MARGINALIZE)) {
                assertEquals(5, src.rows());
                assertEquals(2, src.missingCells());
                assertEquals(java.util.Map.of("malformedRow", 1L, "notANumber", 1L, "infinite", 1L),
                        src.skippedRows(), "partitions " + partitions);
            }
        }
    }

    @Test
    void skipPolicyFitsExactlyTheValidRows() throws IOException {
        String dirty = csv("dirty2.csv", DIRTY);
        String clean = csv("clean2.csv", CLEAN);
        dev.mixem.config.FitConfig cfg = FitConfig.defaults(1).withMaxIter(3, 0.0);
        InputReader.Loaded a = InputReader.read(spark, InputSpec.of(dirty));
        InputReader.Loaded b = InputReader.read(spark, InputSpec.of(clean));
        try (SparkBlockSource sa = SparkBlockSource.load(spark, a.frame(), a.extractor(), 0, 64,
                InvalidPolicy.SKIP, MissingPolicy.FAIL);
             SparkBlockSource sb = SparkBlockSource.load(spark, b.frame(), b.extractor(), 0, 64)) {
            var ra = new EmFitter(FitListener.NONE).fit(sa, cfg);
            var rb = new EmFitter(FitListener.NONE).fit(sb, cfg);
            // The same rows in the same blocks: bit-identical.
            org.junit.jupiter.api.Assertions.assertArrayEquals(rb.params().covariances(), ra.params().covariances(), 0.0);
            assertEquals(rb.avgLogLikelihood(), ra.avgLogLikelihood(), 0.0);
        }
    }

    @Test
    void skipPolicyWithNothingLeftSaysSo() throws IOException {
        String f = csv("allbad.csv", "a,b\n1,x\n2,y\n");
        InputReader.Loaded in = InputReader.read(spark, InputSpec.of(f).withFeatureCols(List.of("a", "b")));
        Throwable e = assertThrows(Throwable.class, () -> SparkBlockSource.load(spark, in.frame(), in.extractor(), 0,
                64, dev.mixem.config.InvalidPolicy.SKIP).close());
        assertMentions(e.getMessage(), "no data rows", "all 2 rows were invalid");
    }
}
