package dev.mixem.job;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.InitMethod;
import dev.mixem.data.ResourceLimitException;
import dev.mixem.init.Initializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pre-flight arithmetic on the cases, without Spark. */
class ResourcePlanTest {
    static final long GB = 1L << 30;
    /** This machine's local mode: a 6 GB driver heap with 2 task slots, Spark's default maxResultSize. */
    static final ResourcePlan.Resources LOCAL = new ResourcePlan.Resources(6 * GB, GB, 6 * GB, 2, 3 * GB, true);

    static ResourcePlan.Shape shape(long rows, int d, int k, CovarianceType type, int partitions) {
        return new ResourcePlan.Shape(rows, d, k, type, partitions, 32, 256,
                Initializer.driverSampleRows(InitMethod.KMEANS_PLUS_PLUS, k, d));
    }

    static List<ResourcePlan.Finding> fatal(List<ResourcePlan.Finding> all) {
        return all.stream().filter(ResourcePlan.Finding::fatal).toList();
    }

    @Test
    void fortyFullComponentsOf800FeaturesFitIn8PartitionsOnceTheTrianglesArePacked() {
        // k·(1 + d + d(d+1)/2) + 3 doubles = 12.85M doubles = 103 MB a partition; 8 of them are 822 MB < 1 GB.
        // Unpacked (k·d² for the second moments) the same 8 were 1.6 GB: the failure.
        assertEquals(List.of(), fatal(ResourcePlan.check(shape(20_000, 800, 40, CovarianceType.FULL, 8), LOCAL)));
        List<ResourcePlan.Finding> twelve = fatal(ResourcePlan.check(shape(20_000, 800, 40, CovarianceType.FULL, 12), LOCAL));
        assertEquals(1, twelve.size(), twelve.toString());
        String m = twelve.get(0).message();
        assertTrue(m.contains("spark.driver.maxResultSize") && m.contains("--covariance diag")
                && m.contains("--partitions 10") && m.contains("12 statistics"), m);
    }

    @Test
    void aSmallDriverIsToldToGrow() {
        ResourcePlan.Resources small = new ResourcePlan.Resources(GB, 0, 4 * GB, 2, -1, false);
        List<ResourcePlan.Finding> f = fatal(ResourcePlan.check(shape(20_000, 800, 40, CovarianceType.FULL, 8), small));
        assertEquals(1, f.size(), f.toString());
        assertTrue(f.get(0).message().contains("the driver would hold") && f.get(0).message().contains("--driver-memory"),
                f.get(0).message());
    }

    @Test
    void fullCovarianceOver50000FeaturesStopsAndNamesDiag() {
        List<ResourcePlan.Finding> f = fatal(ResourcePlan.check(shape(20_000, 50_000, 2, CovarianceType.FULL, 2), LOCAL));
        assertTrue(f.size() >= 2, f.toString());
        ResourceLimitException e = assertThrows(ResourceLimitException.class,
                () -> ResourcePlan.enforce(f, w -> { }));
        assertTrue(e.getMessage().contains("--covariance diag") && e.getMessage().contains("50000 features"),
                e.getMessage());
    }

    @Test
    void diagonalOver50000FeaturesRunsAndWarnsThatTheBlocksSpillToDisk() {
        // 20,000 x 50,001 doubles = 7.5 GB of dense blocks against 3 GB of storage memory: a warning. The kmeans++
        // sample is capped at 256 MB (671 rows), so the driver is not at risk.
        assertEquals(671, Initializer.driverSampleRows(InitMethod.KMEANS_PLUS_PLUS, 5, 50_000));
        List<ResourcePlan.Finding> all = ResourcePlan.check(shape(20_000, 50_000, 5, CovarianceType.DIAG, 2), LOCAL);
        assertEquals(List.of(), fatal(all));
        List<String> warnings = new ArrayList<>();
        ResourcePlan.enforce(all, warnings::add);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("7.5 GB") && warnings.get(0).contains("local disk"), warnings.get(0));
    }

    @Test
    void theSampleCapLeavesOrdinaryWidthsAlone() {
        // Up to 1,600 features the kmeans++ sample is the documented 20,000 rows (or 50 per component).
        assertEquals(20_000, Initializer.driverSampleRows(InitMethod.KMEANS_PLUS_PLUS, 10, 1_600));
        assertEquals(25_000, Initializer.driverSampleRows(InitMethod.RANDOM, 500, 20));
        assertEquals(0, Initializer.driverSampleRows(InitMethod.KMEANS_PARALLEL, 10, 50_000));
        // A tiny driver cannot take even a capped sample: stop and say --init kmeans-parallel.
        ResourcePlan.Resources tiny = new ResourcePlan.Resources(512L << 20, GB, 4 * GB, 1, -1, false);
        List<ResourcePlan.Finding> f = fatal(ResourcePlan.check(shape(1_000_000, 1_600, 10, CovarianceType.DIAG, 4), tiny));
        assertTrue(f.stream().anyMatch(x -> x.message().contains("--init kmeans-parallel")), f.toString());
    }

    @Test
    void beyondTheFanInTheDriverReceivesOneStatisticPerGroup() {
        // 1,000 partitions in groups of 32: 32 statistics reach the driver, not 1,000.
        ResourcePlan.Resources r = new ResourcePlan.Resources(8 * GB, GB, 8 * GB, 4, -1, false);
        ResourcePlan.Shape s = shape(-1, 400, 20, CovarianceType.FULL, 1_000);
        // 20·(1 + 400 + 80,200) doubles = 12.9 MB a statistic, 32 of them 413 MB.
        assertEquals(List.of(), fatal(ResourcePlan.check(s, r)));
    }
}
