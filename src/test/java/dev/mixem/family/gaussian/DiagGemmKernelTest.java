package dev.mixem.family.gaussian;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.ChunkKernel;
import dev.mixem.math.BlockKernels;
import dev.mixem.math.RowBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GEMM-shaped diag/spherical kernel against the exact per-component loops it replaces ({@link DiagKernel},
 * {@link MissingDiagKernel}), on shapes that exercise every path of {@link dev.mixem.math.SeparableGemm}:
 * groups of four and two columns (odd k padded), rows in whole 4-vector slabs, single vectors and masked
 * tails, more than one 32-feature panel, and data far from the origin.
 * <p>
 * Tolerance: both sides sum d terms of magnitude up to T = (u² + δ²)/σ² (the expansion about the reference)
 * in different orders, so they may differ by a few ulps of d·T; we allow 64·d·T·2⁻⁵² per value (about
 * 1.4e-14·d·T), which a wrong coefficient, sign or missing term exceeds by many orders of magnitude.
 */
class DiagGemmKernelTest {
    private static final double EPS = Math.ulp(1.0);

    private static GaussianScorer scorer(CovarianceType type, int k, int d, double offset, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] w = new double[k];
        double[] mu = new double[k * d];
        double[] cov = new double[type == CovarianceType.SPHERICAL ? k : k * d];
        for (int c = 0; c < k; c++) {
            w[c] = 0.5 + rng.nextDouble();
        }
        double sum = Arrays.stream(w).sum();
        for (int c = 0; c < k; c++) {
            w[c] /= sum;
        }
        for (int i = 0; i < mu.length; i++) {
            mu[i] = offset + 4 * rng.nextDouble() - 2;
        }
        for (int i = 0; i < cov.length; i++) {
            cov[i] = 0.2 + rng.nextDouble();
        }
        return GaussianScorer.of(new GaussianParams(type, k, d, w, mu, cov));
    }

    private static RowBlock block(int n, int d, double offset, double missingFraction, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = offset + 3 * rng.nextGaussian();
        }
        if (missingFraction > 0) {
            for (int i = 0; i < n; i++) {
                int kept = rng.nextInt(d);
                for (int j = 0; j < d; j++) {
                    if (j != kept && rng.nextDouble() < missingFraction) {
                        v[i + j * n] = Double.NaN;
                    }
                }
            }
        }
        return new RowBlock(n, d, 0, v, null);
    }

    /** Per row and component, the largest magnitude the expansion's terms reach: d · max (u² + δ²)/σ². */
    private static double scale(GaussianScorer s, RowBlock b, int i, int c) {
        double r = 0;
        for (int j = 0; j < s.d; j++) {
            double x = b.values[i + j * b.rows];
            double mu = s.means[c * s.d + j];
            double t = (x == x ? (x - mu) * (x - mu) : 0) + 1;
            r = Math.max(r, t * s.factors[c * s.d + j] + Math.abs(s.logConst[c]));
        }
        // The reference is within a few units of the data here, so u² and δ² are of the order of (x - μ)².
        return 64 * s.d * 16 * r * EPS;
    }

    @ParameterizedTest(name = "{0} k={1} d={2} n={3} offset={4} missing={5}")
    @CsvSource({
            "diag, 1, 1, 1, 0, 0",
            "diag, 3, 7, 37, 0, 0",
            "diag, 4, 33, 100, 0, 0",
            "diag, 10, 70, 64, 0, 0",
            "spherical, 5, 9, 33, 0, 0",
            "diag, 6, 40, 71, 1e8, 0",
            "diag, 3, 7, 37, 0, 0.2",
            "diag, 10, 70, 67, 0, 0.1",
            "spherical, 5, 9, 33, 0, 0.3",
            "diag, 4, 33, 100, -1e6, 0.1",
    })
    void agreesWithTheExactLoops(String typeName, int k, int d, int n, double offset, double missing) {
        assertTrue(BlockKernels.vectorApi(), "the test JVMs run with the Vector API module");
        CovarianceType type = CovarianceType.parse(typeName);
        GaussianScorer s = scorer(type, k, d, offset, k * 31L + d);
        RowBlock b = block(n, d, offset, missing, n * 7L + k);
        boolean masked = missing > 0;
        ChunkKernel<GaussianStats> fast = masked ? s.missingKernel() : s.completeKernel();
        ChunkKernel<GaussianStats> exact = masked ? new MissingDiagKernel(s) : new DiagKernel(s);
        assertInstanceOf(DiagGemmKernel.class, fast);

        double[] a = new double[n * k];
        double[] e = new double[n * k];
        fast.blockLogJoint(b, a);
        exact.blockLogJoint(b, e);
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < n; i++) {
                assertEquals(e[c * n + i], a[c * n + i], scale(s, b, i, c), "log p(x_" + i + ", " + c + ")");
            }
        }

        // Statistics for arbitrary non-negative weights (what the E-step passes: w_i r_ic).
        SplittableRandom rng = new SplittableRandom(5);
        double[] resp = new double[n * k];
        for (int i = 0; i < resp.length; i++) {
            resp[i] = rng.nextDouble();
        }
        GaussianStats sf = GaussianStats.empty(k, d, type);
        GaussianStats se = GaussianStats.empty(k, d, type);
        fast.beginBlock(b);
        fast.logJoint(b, 0, n, new double[n * k]);
        fast.accumulate(b, 0, n, resp.clone(), sf);
        exact.beginBlock(b);
        exact.logJoint(b, 0, n, new double[n * k]);
        exact.accumulate(b, 0, n, resp.clone(), se);
        assertArrayEquals(se.resp, sf.resp, 1e-12 * n);
        // The rows lie within about 4 x 3 of the means and of the reference (u, δ, x - μ up to ~16), so every
        // summed term is below 16 (first) or 256 (second) times r ≤ 1: each side is within n such ulps.
        for (int at = 0; at < k * d; at++) {
            assertEquals(se.first[at], sf.first[at], 64 * n * 16 * EPS, "first " + at);
            assertEquals(se.second[at], sf.second[at], 64 * n * 256 * EPS, "second " + at);
        }
    }

    @Test
    void aRowsLogDensityDoesNotDependOnItsPositionInTheBlock() {
        // Partition invariance rests on it: the same row gives the same bits in a 4-vector slab, a single
        // vector or a masked tail, and whatever its neighbours (blocks of 1, 13, 40 and 67 rows).
        int d = 45;
        int k = 5;
        GaussianScorer s = scorer(CovarianceType.DIAG, k, d, 0, 3);
        RowBlock big = block(67, d, 0, 0, 9);
        double[] all = new double[67 * k];
        s.completeKernel().blockLogJoint(big, all);
        for (int n : new int[]{1, 13, 40}) {
            for (int at : new int[]{0, n - 1, n / 2}) {
                int src = (at * 7 + n) % 67;
                double[] v = new double[n * d];
                SplittableRandom rng = new SplittableRandom(n);
                for (int i = 0; i < v.length; i++) {
                    v[i] = rng.nextGaussian();
                }
                for (int j = 0; j < d; j++) {
                    v[at + j * n] = big.values[src + j * 67];
                }
                double[] out = new double[n * k];
                s.completeKernel().blockLogJoint(new RowBlock(n, d, 0, v, null), out);
                for (int c = 0; c < k; c++) {
                    assertEquals(all[c * 67 + src], out[c * n + at], 0.0, "row " + src + " at " + at + " of " + n);
                }
            }
        }
    }

    @ParameterizedTest(name = "k={0} d={1} n={2}")
    @CsvSource({"3, 5, 37", "16, 50, 300", "7, 40, 1100"})
    void tiedDistancesAsAGemmAgreeWithTheLoops(int k, int d, int n) {
        // The whitened rows y and means ν are O(1-10) here: -½‖y - ν‖² sums d terms up to ~100 each way.
        SplittableRandom rng = new SplittableRandom(k);
        double[] w = new double[k];
        Arrays.fill(w, 1.0 / k);
        double[] mu = new double[k * d];
        for (int i = 0; i < mu.length; i++) {
            mu[i] = 5 + 3 * rng.nextGaussian();
        }
        double[] cov = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                cov[i + j * d] = i == j ? 2.0 : 0.3 / (1 + Math.abs(i - j));
            }
        }
        GaussianScorer s = GaussianScorer.of(new GaussianParams(CovarianceType.TIED, k, d, w, mu, cov));
        RowBlock b = block(n, d, 5, 0, 11);
        double[] a = new double[n * k];
        double[] e = new double[n * k];
        new TiedKernel(s, true).blockLogJoint(b, a);
        new TiedKernel(s, false).blockLogJoint(b, e);
        for (int i = 0; i < a.length; i++) {
            assertEquals(e[i], a[i], 64 * d * 400 * EPS * 4, "log p at " + i);
        }
    }

    @Test
    void aComponentFarFromTheReferenceKeepsTheExactLoops() {
        // δ²/σ² = 1e8 > MAX_OFFSET_SQ: the expansion would lose 8 digits of that component's variances.
        double[] mu = {0, 0, 1e4, 1e4};
        GaussianParams p = new GaussianParams(CovarianceType.DIAG, 2, 2, new double[]{0.5, 0.5}, mu,
                new double[]{1, 1, 1, 1});
        GaussianScorer s = GaussianScorer.of(p);
        assertFalse(DiagGemmKernel.applies(s));
        assertInstanceOf(DiagKernel.class, s.completeKernel());
        assertInstanceOf(MissingDiagKernel.class, s.missingKernel());
        GaussianParams near = new GaussianParams(CovarianceType.DIAG, 2, 2, new double[]{0.5, 0.5},
                new double[]{0, 0, 100, 100}, new double[]{1, 1, 1, 1});
        assertTrue(DiagGemmKernel.applies(GaussianScorer.of(near)));
    }
}
