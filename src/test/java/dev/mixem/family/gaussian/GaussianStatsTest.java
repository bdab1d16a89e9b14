package dev.mixem.family.gaussian;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.gaussian.SyntheticMixture;
import dev.mixem.math.RowBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GaussianStatsTest {
    static final int K = 3;
    static final int D = 4;

    static double[][] rows(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] x = new double[n][D];
        for (double[] r : x) {
            for (int j = 0; j < D; j++) {
                r[j] = 4 * rng.nextGaussian() + j;
            }
        }
        return x;
    }

    /** Statistics of rows [from, to) under params p, as one block. */
    static GaussianStats statsOf(double[][] x, int from, int to, GaussianParams p) {
        GaussianStats s = GaussianStats.empty(K, D, p.type());
        if (to > from) {
            RowBlock b = RowBlock.ofRows(Arrays.copyOfRange(x, from, to), null, from);
            new dev.mixem.family.EStep<>(p.scorer()).accumulate(b, s);
        }
        return s;
    }

    static void assertClose(GaussianStats a, GaussianStats b, double rel) {
        assertArrayClose(a.resp, b.resp, rel);
        assertArrayClose(a.first, b.first, rel);
        assertArrayClose(a.second, b.second, rel);
        assertEquals(a.logLikelihood, b.logLikelihood, rel * Math.abs(a.logLikelihood));
        assertEquals(a.weight, b.weight, rel * a.weight);
        assertEquals(a.rows, b.rows);
    }

    static void assertArrayClose(double[] a, double[] b, double rel) {
        double scale = 0;
        for (double v : a) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], rel * Math.max(scale, 1e-300), "entry " + i);
        }
    }

    @Test
    void mergingTheEmptyStatisticIsTheIdentity() {
        GaussianParams p = SyntheticMixture.random(CovarianceType.FULL, K, D, 2, 1);
        GaussianStats s = statsOf(rows(50, 2), 0, 50, p);
        GaussianStats merged = s.copy().mergeFrom(GaussianStats.empty(K, D, CovarianceType.FULL));
        GaussianStats mergedLeft = GaussianStats.empty(K, D, CovarianceType.FULL).mergeFrom(s);
        // Adding exact zeros changes nothing: bit-identical.
        for (GaussianStats m : List.of(merged, mergedLeft)) {
            assertArrayEquals(s.resp, m.resp, 0.0);
            assertArrayEquals(s.first, m.first, 0.0);
            assertArrayEquals(s.second, m.second, 0.0);
            assertEquals(s.logLikelihood, m.logLikelihood, 0.0);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = "FACTOR", mode = EnumSource.Mode.EXCLUDE)
    void mergeIsAssociative(CovarianceType type) {
        GaussianParams p = SyntheticMixture.random(type, K, D, 2, 1);
        double[][] x = rows(90, 3);
        GaussianStats a = statsOf(x, 0, 30, p);
        GaussianStats b = statsOf(x, 30, 60, p);
        GaussianStats c = statsOf(x, 60, 90, p);
        GaussianStats left = a.copy().mergeFrom(b).mergeFrom(c);
        GaussianStats right = a.copy().mergeFrom(b.copy().mergeFrom(c));
        // Only the rounding of a few additions differs: 1e-12 relative to the largest entry.
        assertClose(left, right, 1e-12);
    }

    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = "FACTOR", mode = EnumSource.Mode.EXCLUDE)
    void anySplitIntoPartitionsGivesTheSameStatistics(CovarianceType type) {
        GaussianParams p = SyntheticMixture.random(type, K, D, 2, 5);
        int n = 500;
        double[][] x = rows(n, 4);
        GaussianStats whole = statsOf(x, 0, n, p);
        SplittableRandom rng = new SplittableRandom(8);
        for (int trial = 0; trial < 10; trial++) {
            List<Integer> cuts = new ArrayList<>(List.of(0, n));
            int pieces = 1 + rng.nextInt(12);
            for (int i = 0; i < pieces; i++) {
                cuts.add(rng.nextInt(n + 1));
            }
            cuts.sort(null);
            GaussianStats merged = GaussianStats.empty(K, D, type);
            for (int i = 0; i + 1 < cuts.size(); i++) {
                merged.mergeFrom(statsOf(x, cuts.get(i), cuts.get(i + 1), p));
            }
            // Sums of 500 terms in another order: rounding error below n·eps ≈ 1e-13 relative.
            assertClose(whole, merged, 1e-12);
        }
    }

    @Test
    void refusesToMergeStatisticsOfAnotherShape() {
        assertThrows(IllegalArgumentException.class, () -> GaussianStats.empty(2, 3, CovarianceType.FULL)
                .mergeFrom(GaussianStats.empty(2, 3, CovarianceType.DIAG)));
    }

    /** Packing for travel is exact, halves full and tied second moments, and leaves diag and spherical alone. */
    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = "FACTOR", mode = EnumSource.Mode.EXCLUDE)
    void packingForTravelIsExactAndHalvesSymmetricMatrices(CovarianceType type) {
        GaussianParams p = SyntheticMixture.random(type, K, D, 2, 1);
        GaussianStats s = statsOf(rows(200, 3), 0, 200, p);
        GaussianStats packed = s.packed();
        long doubles = packed.resp.length + packed.first.length + packed.second.length + 3;
        assertEquals(GaussianStats.travellingDoubles(K, D, type), doubles);
        boolean symmetric = type == CovarianceType.FULL || type == CovarianceType.TIED;
        assertEquals(symmetric ? s.second.length / (D * D) * D * (D + 1) / 2 : s.second.length, packed.second.length);
        GaussianStats back = packed.unpacked();
        assertArrayEquals(s.values(), back.values());
        assertEquals(s.logLikelihood, back.logLikelihood);
        assertEquals(s.weight, back.weight);
        assertEquals(s.rows, back.rows);
        if (symmetric) {
            assertThrows(IllegalStateException.class, () -> GaussianStats.empty(K, D, type).mergeFrom(packed));
            // A statistic whose upper triangle is not zero travels whole, so unpacking stays exact.
            GaussianStats odd = s.copy();
            odd.second[1 * D + 0] = 1.5;
            assertEquals(odd.second.length, odd.packed().second.length);
        }
    }
}
