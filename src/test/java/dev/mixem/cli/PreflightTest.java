package dev.mixem.cli;

import dev.mixem.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A fit whose statistics cannot reach the driver stops before reading the rows, saying what to change. */
class PreflightTest {
    @TempDir
    Path dir;

    @Test
    void statisticsAboveMaxResultSizeStopBeforeTheRowsAreRead() throws Exception {
        // 1,000 features, k=300, full: 300·1,000·1,001/2 doubles = 1.12 GB a statistic, above the default 1g.
        Path csv = dir.resolve("wide.csv");
        StringJoiner header = new StringJoiner(",");
        StringJoiner row = new StringJoiner(",");
        for (int j = 0; j < 1000; j++) {
            header.add("x" + j);
            row.add(Integer.toString(j % 7));
        }
        Files.writeString(csv, header + "\n" + row + "\n" + row + "\n");
        SparkTestSession.get();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String out = dir.resolve("model").toString();
        assertEquals(1, MainTest.run(err, "fit", "--input", csv.toString(), "--k", "300", "--output", out));
        String msg = err.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains("will not fit") && msg.contains("spark.driver.maxResultSize")
                && msg.contains("--covariance diag"), msg);
        assertFalse(Files.exists(Path.of(out)), "nothing written");
    }
}
