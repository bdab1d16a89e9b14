package dev.mixem.cli;

import dev.mixem.data.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Usage errors exit with 2 and a one-line reason, before any Spark session starts. */
class MainTest {

    static int run(ByteArrayOutputStream err, String... args) {
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args);
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void missingSubcommandIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(err));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing subcommand"));
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        assertEquals(2, run(new ByteArrayOutputStream(), "fitt"));
    }

    @Test
    void kBelowOneIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(err, "fit", "--input", "x.csv", "--k", "0", "--output", "m"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("k must be at least 1"), err.toString());
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        assertEquals(2, run(new ByteArrayOutputStream(), "fit", "--input", "x.csv", "--k", "2", "--output", "m",
                "--covariance", "tied-up"));
        assertEquals(2, run(new ByteArrayOutputStream(), "fit", "--input", "x.txt", "--k", "2", "--output", "m"));
        assertEquals(2, run(new ByteArrayOutputStream(), "fit", "--input", "x.csv", "--k", "2", "--output", "m",
                "--tol", "-1"));
        assertEquals(2, run(new ByteArrayOutputStream(), "generate", "--rows", "0", "--dim", "2", "--k", "1",
                "--output", "o"));
        assertEquals(2, run(new ByteArrayOutputStream(), "fit", "--input", "x.csv", "--k", "2", "--output", "m",
                "--invalid", "ignore"));
    }

    @Test
    void helpExitsWithZero() {
        assertEquals(0, run(new ByteArrayOutputStream(), "fit", "--help"));
        assertEquals(0, run(new ByteArrayOutputStream(), "--help"));
    }

    @Test
    void reasonFindsTheCauseInsideSparksWrapping() {
        Exception wrapped = new RuntimeException("Job aborted due to stage failure: ... long text\nmore",
                new InvalidInputException("file a.csv, data row 3, column 'x': 'q' is not a number"));
        assertEquals("invalid input: file a.csv, data row 3, column 'x': 'q' is not a number", Main.reason(wrapped));
    }
}
