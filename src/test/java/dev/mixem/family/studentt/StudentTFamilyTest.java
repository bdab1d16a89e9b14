package dev.mixem.family.studentt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixem.config.CovarianceType;
import dev.mixem.config.Family;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InitMethod;
import dev.mixem.family.EStep;
import dev.mixem.family.MixtureFamily;
import dev.mixem.family.MixtureParams;
import dev.mixem.fit.FitCheckpoint;
import dev.mixem.model.CheckpointFormat;
import dev.mixem.family.gaussian.FactorAnalyzersTest;
import dev.mixem.family.gaussian.GaussianFamily;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.fit.Checkpointer;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import dev.mixem.math.Gamma;
import dev.mixem.math.RowBlock;
import dev.mixem.source.LocalBlockSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Student-t family's own arithmetic: log Γ and ψ, the density against closed forms, the t-marginal of
 * rows with missing cells, the degrees-of-freedom update, robustness to outliers, and the optima of an
 * independent implementation on public data. The properties every family shares are in
 * {@code FamilyConformanceTest}.
 */
class StudentTFamilyTest {

    /** Exact values: Γ(½) = √π, Γ(n) = (n-1)!, ψ(1) = -γ, ψ(½) = -γ - 2 log 2, ψ(n+1) = ψ(n) + 1/n. */
    @Test
    void logGammaAndDigammaMatchExactValues() {
        double euler = 0.57721566490153286061;
        // The series is accurate to about 1e-16 at x ≥ 16; below, the shift subtracts log(x(x+1)...),
        // up to about 30, so the result is good to a few roundings of 30: 1e-13 absolute.
        assertEquals(0.5 * Math.log(Math.PI), Gamma.logGamma(0.5), 1e-13);
        assertEquals(0.0, Gamma.logGamma(1), 1e-13);
        assertEquals(0.0, Gamma.logGamma(2), 1e-13);
        assertEquals(Math.log(362880), Gamma.logGamma(10), 1e-13);
        double f = 0;
        for (int i = 2; i < 100; i++) {
            f += Math.log(i);
        }
        assertEquals(f, Gamma.logGamma(100), 1e-12 * f);
        assertEquals(-euler, Gamma.digamma(1), 1e-14);
        assertEquals(-euler - 2 * Math.log(2), Gamma.digamma(0.5), 1e-14);
        double h = -euler;
        for (int n = 1; n < 30; n++) {
            h += 1.0 / n;
            assertEquals(h, Gamma.digamma(n + 1), 1e-13, "ψ(" + (n + 1) + ")");
        }
        // log x − ψ(x) ~ 1/(2x) + 1/(12x²): no cancellation at large x.
        assertEquals(0.5e-6 + 1.0 / 12e12, Gamma.logMinusDigamma(1e6), 1e-20);
        assertEquals(Math.log(50) - Gamma.digamma(50), Gamma.logMinusDigamma(50), 1e-15);
    }

    /** ν = 1 in two dimensions: t(x) = 1/(2π |Σ|^½) (1 + δ)^(-3/2), with Γ(3/2)/Γ(1/2) = ½ (no Γ code used). */
    @Test
    void theDensityIsTheTextbookT() {
        double[] cov = {2.0, 0.6, 0.6, 1.0};
        double det = 2.0 * 1.0 - 0.36;
        GaussianParams g = new GaussianParams(CovarianceType.FULL, 1, 2, new double[]{1}, new double[]{1, -1}, cov);
        StudentTParams p = new StudentTParams(g, new double[]{1.0}, 0);
        double[][] x = {{1, -1}, {2.5, 0.3}, {-4, 7}, {40, -30}};
        double[] ll = rowLogLikelihoods(p, x);
        for (int i = 0; i < x.length; i++) {
            double a = x[i][0] - 1;
            double b = x[i][1] + 1;
            // Σ⁻¹ = [1 -0.6; -0.6 2] / det.
            double delta = (a * a * 1.0 - 2 * 0.6 * a * b + 2.0 * b * b) / det;
            double want = -Math.log(2 * Math.PI * Math.sqrt(det)) - 1.5 * Math.log1p(delta);
            assertEquals(want, ll[i], 1e-12, "row " + i);
        }
    }

    /**
     * A row with a missing cell is scored by the t-marginal of its observed cells: with ν = 1 and one observed
     * cell, the Cauchy density 1/(π s (1 + ((x - μ)/s)²)) with s² the observed cell's scale. Every structure's
     * missing-cell kernel.
     */
    @Test
    void aRowWithMissingCellsScoresItsTMarginal() {
        for (CovarianceType type : CovarianceType.WITHOUT_FACTORS) {
            double[] cov = switch (type) {
                case FULL, TIED -> new double[]{2.0, 0.6, 0.6, 1.0};
                case DIAG -> new double[]{2.0, 1.0};
                case SPHERICAL -> new double[]{2.0};
                case FACTOR -> throw new IllegalStateException();
            };
            GaussianParams g = new GaussianParams(type, 1, 2, new double[]{1}, new double[]{1, -1}, cov);
            StudentTParams p = new StudentTParams(g, new double[]{1.0}, 0);
            double[][] x = {{3.0, Double.NaN}, {-2.0, Double.NaN}};
            double[] ll = rowLogLikelihoods(p, x);
            double s = Math.sqrt(2.0);
            for (int i = 0; i < x.length; i++) {
                double z = (x[i][0] - 1) / s;
                assertEquals(-Math.log(Math.PI * s * (1 + z * z)), ll[i], 1e-12, type + " row " + i);
            }
        }
    }

    private static double[] rowLogLikelihoods(StudentTParams p, double[][] x) {
        RowBlock b = RowBlock.ofRows(x, null, 0);
        double[] resp = new double[x.length * p.k()];
        double[] ll = new double[x.length];
        new EStep<>(p.scorer()).posterior(b, resp, ll);
        return ll;
    }

    /** The update solves its equation, stays inside its bounds, and gives MAX for Gaussian statistics. */
    @Test
    void theDegreesOfFreedomUpdateSolvesItsEquation() {
        for (double a : new double[]{-1.05, -1.2, -1.5, -2.5}) {
            double nu = Dof.update(a);
            assertTrue(nu > Dof.MIN && nu < Dof.MAX, "ν = " + nu + " for A = " + a);
            assertEquals(0.0, Dof.equation(nu, a), 1e-12, "A = " + a);
        }
        // u = 1 everywhere (Gaussian rows): A = -1, whose root is ν = ∞.
        assertEquals(Dof.MAX, Dof.update(-1.0));
        assertEquals(Dof.MIN, Dof.update(-40.0));
        assertThrows(IllegalArgumentException.class, () -> StudentTFamily.of(CovarianceType.FULL, 0.1));
        assertThrows(IllegalArgumentException.class, () -> StudentTFamily.of(CovarianceType.FACTOR, 0));
        assertThrows(IllegalArgumentException.class,
                () -> FitConfig.defaults(2).withDof(3.0));
    }

    /**
     * The reason for the family: 5% of the rows are gross outliers (uniform over a box 60 standard deviations
     * wide). The Gaussian fit spends its variance, or a component, on them; the t fit's locations stay within
     * 0.1 of the planted ones (the standard error of a location is about 1/√(0.45·2000) ≈ 0.033).
     */
    @Test
    void outliersDoNotDragTheLocations() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 2000;
        double[][] x = new double[n][2];
        double[][] centres = {{-3, 0}, {3, 0}};
        for (int i = 0; i < n; i++) {
            if (i % 20 == 0) {
                x[i][0] = -30 + 60 * rng.nextDouble();
                x[i][1] = -30 + 60 * rng.nextDouble();
            } else {
                int c = i % 2;
                x[i][0] = centres[c][0] + rng.nextGaussian();
                x[i][1] = centres[c][1] + rng.nextGaussian();
            }
        }
        FitConfig cfg = new FitConfig(2, CovarianceType.FULL, InitMethod.KMEANS_PLUS_PLUS, 3, 500, 1e-10, 1e-6, 4)
                .withFamily(Family.STUDENT_T, 0);
        StudentTFamily t = StudentTFamily.of(CovarianceType.FULL, 0);
        FitResult<StudentTParams> fit = new EmFitter(FitListener.NONE).fit(t, EmFitter.initialization(t),
                LocalBlockSource.of(x, null, 256), cfg, Checkpointer.none());
        for (double[] centre : centres) {
            double best = Double.POSITIVE_INFINITY;
            for (int c = 0; c < fit.params().k(); c++) {
                double[] mu = fit.params().gaussian().mean(c);
                best = Math.min(best, Math.hypot(mu[0] - centre[0], mu[1] - centre[1]));
            }
            assertTrue(best < 0.1, "t location off by " + best);
        }
        // The same data under the Gaussian family: its fit explains the sample worse than the t's.
        GaussianFamily gauss = GaussianFamily.of(CovarianceType.FULL);
        FitResult<GaussianParams> gfit = new EmFitter(FitListener.NONE).fit(gauss, EmFitter.initialization(gauss),
                LocalBlockSource.of(x, null, 256), cfg.withFamily(Family.GAUSSIAN, 0), Checkpointer.none());
        assertTrue(fit.avgLogLikelihood() > gfit.avgLogLikelihood() + 0.1,
                "t " + fit.avgLogLikelihood() + " against Gaussian " + gfit.avgLogLikelihood());
    }

    /**
     * Row weights count as repeated rows: every row of weight 2 or 3 gives, from the same start, the fit of
     * the rows repeated that often (up to the order of summation: 1e-10 relative).
     */
    @Test
    void integerWeightsAreRepeatedRows() {
        StudentTFamily t = StudentTFamily.of(CovarianceType.DIAG, 0);
        StudentTParams truth = t.planted(2, 3, 3.0, 5);
        MixtureFamily.RowSampler sampler = t.sampler(truth);
        SplittableRandom rng = new SplittableRandom(6);
        double[][] x = new double[400][3];
        double[] w = new double[400];
        java.util.List<double[]> repeated = new java.util.ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            sampler.draw(rng, x[i]);
            w[i] = 2 + (i % 2);
            for (int r = 0; r < w[i]; r++) {
                repeated.add(x[i]);
            }
        }
        FitConfig cfg = new FitConfig(2, CovarianceType.DIAG, InitMethod.RANDOM, 1, 30, 0.0, 1e-6, 7)
                .withFamily(Family.STUDENT_T, 0);
        StudentTParams start = t.planted(2, 3, 2.0, 8);
        FitResult<StudentTParams> weighted = new EmFitter(FitListener.NONE).run(t, LocalBlockSource.of(x, w, 128),
                start, cfg, 0);
        FitResult<StudentTParams> rows = new EmFitter(FitListener.NONE).run(t,
                LocalBlockSource.of(repeated.toArray(double[][]::new), null, 128), start, cfg, 0);
        assertEquals(rows.avgLogLikelihood(), weighted.avgLogLikelihood(), 1e-10 * Math.abs(rows.avgLogLikelihood()));
        for (int c = 0; c < 2; c++) {
            assertEquals(rows.params().dof(c), weighted.params().dof(c), 1e-8 * rows.params().dof(c));
        }
    }

    /**
     * A fit killed mid-way and resumed from its last checkpoint (through the checkpoint's JSON) ends with the
     * model of an uninterrupted fit, bit for bit, degrees of freedom included.
     */
    @Test
    void aResumedFitEndsWithTheUninterruptedModel() {
        StudentTFamily t = StudentTFamily.of(CovarianceType.TIED, 0);
        StudentTParams truth = t.planted(3, 3, 1.5, 4);
        MixtureFamily.RowSampler sampler = t.sampler(truth);
        SplittableRandom rng = new SplittableRandom(8);
        double[][] x = new double[3000][3];
        for (double[] r : x) {
            sampler.draw(rng, r);
        }
        LocalBlockSource src = LocalBlockSource.of(x, null, 400);
        FitConfig cfg = FitConfig.defaults(3).withCovariance(CovarianceType.TIED, 1e-6).withFamily(Family.STUDENT_T, 0)
                .withNInit(2).withMaxIter(20, 0.0).withSeed(6);
        FitResult<StudentTParams> whole = new EmFitter(FitListener.NONE).fit(t, EmFitter.initialization(t), src, cfg,
                Checkpointer.none());
        String[] json = new String[1];
        boolean[] resume = new boolean[1];
        Checkpointer<StudentTParams> store = new Checkpointer<>() {
            @Override
            public int every() {
                return 4;
            }

            @Override
            @SuppressWarnings("unchecked")
            public void save(FitCheckpoint<StudentTParams> state) {
                json[0] = CheckpointFormat.toJson((FitCheckpoint<MixtureParams>) (FitCheckpoint<?>) state,
                        cfg.toMap(), java.util.Map.of("path", "memory"), "sha256:test");
            }

            @Override
            @SuppressWarnings("unchecked")
            public FitCheckpoint<StudentTParams> resume() {
                return resume[0] ? (FitCheckpoint<StudentTParams>) (FitCheckpoint<?>) CheckpointFormat.fromJson(
                        json[0], "checkpoint.json", cfg.toMap(), "sha256:test") : null;
            }
        };
        FitListener crash = (restart, status) -> {
            if (restart == 1 && status.iteration() == 11) {
                throw new IllegalStateException("driver lost");
            }
        };
        assertThrows(IllegalStateException.class, () -> new EmFitter(crash).fit(t, EmFitter.initialization(t), src,
                cfg, store));
        resume[0] = true;
        FitResult<StudentTParams> resumed = new EmFitter(FitListener.NONE).fit(t, EmFitter.initialization(t), src, cfg,
                store);
        assertEquals(whole.params(), resumed.params());
        assertEquals(whole.avgLogLikelihood(), resumed.avgLogLikelihood(), 0.0);
        assertEquals(whole.restartLogLikelihoods(), resumed.restartLogLikelihoods());
    }

    /**
     * Public data: scikit-learn's iris and R's faithful. mixem's best of 100 random restarts reaches the best
     * of 200 random starts of an independent numpy EM ({@code src/test/python/studentt_reference.py}, same
     * bounds on ν and reg-covar) within the 2e-3 of mean log-likelihood, for each structure and k there.
     */
    @Test
    void publicDataReachTheIndependentReferenceOptimum() throws IOException {
        double[][] iris = FactorAnalyzersTest.readCsv("/reference/iris.csv");
        double[][] faithful = FactorAnalyzersTest.readCsv("/reference/faithful.csv");
        JsonNode ref = new ObjectMapper().readTree(resource("/reference/studentt-reference.json"));
        for (JsonNode c : ref.get("cases")) {
            double[][] x = c.get("data").asText().equals("iris") ? iris : faithful;
            CovarianceType type = CovarianceType.parse(c.get("covariance").asText());
            int k = c.get("k").asInt();
            StudentTFamily t = StudentTFamily.of(type, 0);
            FitConfig cfg = new FitConfig(k, type, InitMethod.RANDOM, 100, 3000, 1e-11, 1e-6, 9)
                    .withFamily(Family.STUDENT_T, 0);
            FitResult<StudentTParams> r = new EmFitter(FitListener.NONE).fit(t, EmFitter.initialization(t),
                    LocalBlockSource.of(x, null, 512), cfg, Checkpointer.none());
            double want = c.get("avgLogLikelihood").asDouble();
            assertTrue(r.avgLogLikelihood() >= want - 2e-3, c + ": mixem " + r.avgLogLikelihood());
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = StudentTFamilyTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
