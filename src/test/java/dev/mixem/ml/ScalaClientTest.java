package dev.mixem.ml;

import dev.mixem.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scala client code written for Spark's GaussianMixture, with only the import changed (the README's Scala
 * example, src/test/resources/scala-client/SparkClient.scala), compiles with scalac against mixem and runs:
 * fit, weights, gaussians, gaussiansDF, summary, transform, save and load of model and estimator,
 * explainParams, Param accessors called without parentheses.
 */
class ScalaClientTest {

    @Test
    void sparkClientCodeCompilesAndRunsWithOnlyTheImportChanged(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("SparkClient.scala");
        try (InputStream in = getClass().getResourceAsStream("/scala-client/SparkClient.scala")) {
            Files.write(src, in.readAllBytes());
        }
        Path out = Files.createDirectories(dir.resolve("classes"));
        // Surefire runs the tests from a manifest-only jar; it names the real class path here.
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        boolean ok = scala.tools.nsc.Main.process(new String[]{"-classpath", cp, "-d", out.toString(),
                "-deprecation", src.toString()});
        assertTrue(ok && !scala.tools.nsc.Main.reporter().hasErrors(), "scalac failed on SparkClient.scala");
        try (URLClassLoader loader = new URLClassLoader(new URL[]{out.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> client = loader.loadClass("SparkClient");
            double[] r = (double[]) client.getMethod("run", org.apache.spark.sql.SparkSession.class, String.class)
                    .invoke(null, SparkTestSession.get(), dir.toString());
            assertTrue(Double.isFinite(r[0]) && r[0] < 0, "total log-likelihood " + r[0]);
            assertTrue(r[1] >= 1 && r[1] <= 50, "iterations " + r[1]);
            // The two clusters (around (5, 5) and (0, 0)) are told apart.
            assertNotEquals(r[2], r[3]);
            assertEquals(0.0, Math.min(r[2], r[3]));
        }
    }
}
