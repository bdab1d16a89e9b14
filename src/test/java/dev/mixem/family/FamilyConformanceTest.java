package dev.mixem.family;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InitMethod;
import dev.mixem.family.gaussian.GaussianFamily;
import dev.mixem.family.independent.Categories;
import dev.mixem.family.independent.IndependentFamily;
import dev.mixem.family.independent.Link;
import dev.mixem.family.studentt.StudentTFamily;
import dev.mixem.fit.Checkpointer;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import dev.mixem.fit.TraceEntry;
import dev.mixem.math.RowBlock;
import dev.mixem.source.LocalBlockSource;
import dev.mixem.stats.MixtureStats;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every mixture family must satisfy, whatever its statistics and parameters: each test sees a family
 * only through {@link MixtureFamily}, its scorer and its statistics' {@link MixtureStats#values()}. A new
 * family joins by adding its cases to {@link #families()}.
 */
public class FamilyConformanceTest {

    /** A family under test and how its restarts are initialized. */
    record Case<P extends MixtureParams, S extends MixtureStats<S>>(String name,
                                                                    IntFunction<MixtureFamily<P, S>> familyOf,
                                                                    int plantedDim) {
        Case(String name, MixtureFamily<P, S> family) {
            this(name, d -> family, 3);
        }

        /** The family for planted mixtures of d features (a categorical family's levels add up to d). */
        MixtureFamily<P, S> family(int d) {
            return familyOf.apply(d);
        }

        EmFitter.Initialization<P> init(int d) {
            return EmFitter.initialization(family(d));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case<?, ?>> families() {
        List<Case<?, ?>> cases = new ArrayList<>();
        for (CovarianceType t : CovarianceType.WITHOUT_FACTORS) {
            cases.add(new Case<>("gaussian " + t.serializedName(), GaussianFamily.of(t)));
        }
        // One factor: the suite's planted mixtures have 3 to 5 features.
        cases.add(new Case<>("gaussian factor (q=1)", GaussianFamily.of(CovarianceType.FACTOR, 1)));
        for (Link l : List.of(Link.BERNOULLI, Link.POISSON)) {
            IndependentFamily f = IndependentFamily.of(l);
            // A binary or count row carries far less information per feature than a Gaussian one: the planted
            // mixture that must be recovered has 30 features (see aPlantedMixtureIsRecovered).
            cases.add(new Case<>(l.family(), d -> f, 30));
        }
        for (CovarianceType t : CovarianceType.WITHOUT_FACTORS) {
            cases.add(new Case<>("student-t " + t.serializedName(), StudentTFamily.of(t, 0)));
        }
        cases.add(new Case<>("student-t full, dof 4", StudentTFamily.of(CovarianceType.FULL, 4)));
        // Variables of 3 levels (and one or two of 2 to make up d), 40 of them for the planted mixture.
        cases.add(new Case<>("categorical", d -> IndependentFamily.categorical(categories(d), 0), 120));
        return cases.stream();
    }

    /** Categorical variables whose levels add up to d: threes, and twos for the remainder. */
    static Categories categories(int d) {
        List<String> names = new ArrayList<>();
        List<List<String>> levels = new ArrayList<>();
        int left = d;
        while (left > 0) {
            int size = left == 4 || left == 2 ? 2 : 3;
            List<String> l = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                l.add("l" + i);
            }
            names.add("v" + names.size());
            levels.add(l);
            left -= size;
        }
        return new Categories(names, levels);
    }

    /** Rows drawn from the mixture, row-major, and each row's component. */
    record Drawn(double[][] rows, int[] labels) {
    }

    static <P extends MixtureParams> Drawn draw(MixtureFamily<P, ?> family, P truth, int n, long seed) {
        MixtureFamily.RowSampler sampler = family.sampler(truth);
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] rows = new double[n][truth.dim()];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = sampler.draw(rng, rows[i]);
        }
        return new Drawn(rows, labels);
    }

    /** The rows with each cell missing (NaN) with probability {@code fraction}, never a whole row. */
    public static double[][] withMissing(double[][] rows, double fraction, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
            int keep = rng.nextInt(out[i].length);
            for (int j = 0; j < out[i].length; j++) {
                if (j != keep && rng.nextDouble() < fraction) {
                    out[i][j] = Double.NaN;
                }
            }
        }
        return out;
    }

    static double[] weights(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.25 + 1.5 * rng.nextDouble();
        }
        return w;
    }

    static <S extends MixtureStats<S>> S stats(MixtureScorer<S> scorer, RowBlock... blocks) {
        S s = scorer.emptyStats();
        EStep<S> step = new EStep<>(scorer);
        for (RowBlock b : blocks) {
            step.accumulate(b, s);
        }
        return s;
    }

    static <P extends MixtureParams, S extends MixtureStats<S>> double meanLogLikelihood(
            MixtureFamily<P, S> family, P p, RowBlock b) {
        return stats(family.scorer(p), b).avgLogLikelihood();
    }

    /**
     * Same up to the rounding of sums in another order: n terms of magnitude at most M differ by at most about
     * n·ε·M, so each value is compared within 1e-10 of the largest magnitude among the values (n ≤ 1000).
     */
    static void assertSameSums(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-10 * scale, what + "[" + i + "]");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    <P extends MixtureParams, S extends MixtureStats<S>> void mergeLawsHold(Case<P, S> c) {
        MixtureFamily<P, S> family = c.family(4);
        P truth = family.planted(3, 4, 3.0, 1);
        double[][] x = withMissing(draw(family, truth, 600, 2).rows(), 0.1, 3);
        double[] w = weights(600, 4);
        MixtureScorer<S> scorer = family.scorer(family.planted(3, 4, 2.0, 5));
        RowBlock all = RowBlock.ofRows(x, w, 0);
        RowBlock a = RowBlock.ofRows(Arrays.copyOfRange(x, 0, 150), Arrays.copyOfRange(w, 0, 150), 0);
        RowBlock b = RowBlock.ofRows(Arrays.copyOfRange(x, 150, 420), Arrays.copyOfRange(w, 150, 420), 150);
        RowBlock d = RowBlock.ofRows(Arrays.copyOfRange(x, 420, 600), Arrays.copyOfRange(w, 420, 600), 420);
        S whole = stats(scorer, all);

        // The empty statistics are the identity of the merge, on either side, exactly.
        S left = scorer.emptyStats().mergeFrom(whole);
        S right = stats(scorer, all).mergeFrom(scorer.emptyStats());
        for (S s : List.of(left, right)) {
            assertArrayEquals(whole.values(), s.values(), 0.0);
            assertEquals(whole.logLikelihood, s.logLikelihood, 0.0);
            assertEquals(whole.weight, s.weight, 0.0);
            assertEquals(whole.rows, s.rows);
        }
        // Associativity, up to the order of summation.
        S abThenD = stats(scorer, a).mergeFrom(stats(scorer, b)).mergeFrom(stats(scorer, d));
        S aThenBd = stats(scorer, a).mergeFrom(stats(scorer, b).mergeFrom(stats(scorer, d)));
        assertSameSums(abThenD.values(), aThenBd.values(), "(a+b)+d against a+(b+d)");
        assertSameSums(whole.values(), abThenD.values(), "blocks merged against one block");
        assertEquals(whole.logLikelihood, abThenD.logLikelihood, 1e-10 * Math.abs(whole.logLikelihood));
        assertEquals(whole.weight, abThenD.weight, 1e-12 * whole.weight);
        assertEquals(600, abThenD.rows);
        // Any split into partitions: the source's pass over blocks of 1, 7, 64 and all rows.
        for (int rows : new int[]{1, 7, 64, 600}) {
            S split = MixturePass.eStep(LocalBlockSource.of(x, w, rows), scorer, "blocks of " + rows);
            assertSameSums(whole.values(), split.values(), "blocks of " + rows);
            assertEquals(whole.logLikelihood, split.logLikelihood, 1e-10 * Math.abs(whole.logLikelihood));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    <P extends MixtureParams, S extends MixtureStats<S>> void theGradientFromStatisticsIsTheLikelihoodsSlope(
            Case<P, S> c) {
        MixtureFamily<P, S> family = c.family(3);
        P truth = family.planted(2, 3, 3.0, 11);
        RowBlock b = RowBlock.ofRows(withMissing(draw(family, truth, 300, 12).rows(), 0.15, 13), weights(300, 14), 0);
        // Away from the optimum, so that the gradient is far from 0.
        P p = family.planted(2, 3, 2.0, 15);
        double[] g = family.gradient(stats(family.scorer(p), b), p);
        double[] v = family.toVector(p);
        assertEquals(v.length, g.length);
        for (int i = 0; i < v.length; i++) {
            double h = 1e-5 * Math.max(1, Math.abs(v[i]));
            double[] up = v.clone();
            double[] down = v.clone();
            up[i] += h;
            down[i] -= h;
            double fd = (meanLogLikelihood(family, family.fromVector(up, p), b)
                    - meanLogLikelihood(family, family.fromVector(down, p), b)) / (2 * h);
            // Central differences: truncation O(h²) ≈ 1e-10 for third derivatives of order 1, rounding
            // ε·|LL|/h ≈ 1e-10; 1e-6 relative to the gradient's size leaves a wide margin yet catches any
            // wrong term (those are of the size of the gradient itself).
            assertEquals(fd, g[i], 1e-6 * (1 + Math.abs(fd)), c + ": coordinate " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    <P extends MixtureParams, S extends MixtureStats<S>> void theMStepMaximizesQ(Case<P, S> c) {
        MixtureFamily<P, S> family = c.family(3);
        P truth = family.planted(3, 3, 3.0, 21);
        RowBlock b = RowBlock.ofRows(withMissing(draw(family, truth, 800, 22).rows(), 0.1, 23), weights(800, 24), 0);
        P before = family.planted(3, 3, 2.5, 25);
        S s = stats(family.scorer(before), b);
        MixtureFamily.Update<P> m = family.mStep(s, before, 0.0);
        assertEquals(List.of(), m.dropped());
        double gain = family.guaranteedChange(s, before, m);
        // EM's step never lowers Q (without regularization), and from parameters this far off it raises it.
        assertTrue(gain > 0, c + ": Q(θ′|θ) − Q(θ|θ) = " + gain);
        // Q is at its maximum there: a step of h along any one unconstrained coordinate, either way, scores
        // less. Near the maximum Q falls by about ½·h²·(curvature) ≈ 5e-9 for h = 1e-4 and curvature of order
        // 1, while an M-step off its maximizer by δ in a coordinate gains about δ·h there (1e-7 for δ = 1e-3):
        // the rounding allowance, a relative 1e-12 of the log-likelihood, separates the two.
        double[] v = family.toVector(m.params());
        double allowance = 1e-12 * Math.abs(s.avgLogLikelihood());
        for (int i = 0; i < v.length; i++) {
            for (double sign : new double[]{-1, 1}) {
                double[] moved = v.clone();
                moved[i] += sign * 1e-4 * Math.max(1, Math.abs(v[i]));
                P near = family.fromVector(moved, m.params());
                double other = family.guaranteedChange(s, before, new MixtureFamily.Update<>(near, List.of()));
                assertTrue(other <= gain + allowance, c + ": a step along coordinate " + i + " raises Q's gain from "
                        + gain + " to " + other);
            }
        }
        // The log-likelihood rises by at least the guaranteed change.
        double llBefore = s.avgLogLikelihood();
        double llAfter = meanLogLikelihood(family, m.params(), b);
        assertTrue(llAfter - llBefore >= gain - 1e-12 * Math.abs(llBefore), c + ": LL rose " + (llAfter - llBefore)
                + ", less than EM's guarantee " + gain);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    <P extends MixtureParams, S extends MixtureStats<S>> void emNeverLowersTheLikelihood(Case<P, S> c) {
        MixtureFamily<P, S> family = c.family(3);
        P truth = family.planted(4, 3, 1.5, 31);
        double[][] x = withMissing(draw(family, truth, 2000, 32).rows(), 0.2, 33);
        LocalBlockSource src = LocalBlockSource.of(x, weights(2000, 34), 256);
        // Overlapping components and tol 0: 40 iterations, most of them small steps near the optimum.
        FitConfig cfg = structured(c, new FitConfig(4, CovarianceType.FULL, InitMethod.RANDOM, 1, 40, 0.0, 1e-6, 35));
        FitResult<P> r = new EmFitter(FitListener.NONE).fit(family, EmFitter.initialization(family), src, cfg, Checkpointer.none());
        assertEquals(41, r.trace().size());
        for (TraceEntry e : r.trace()) {
            assertFalse(e.likelihoodDecreased(), c + ": the likelihood fell at iteration " + e.iteration());
            assertTrue(e.constraintsHeld(), c + ": constraints broken at iteration " + e.iteration());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    <P extends MixtureParams, S extends MixtureStats<S>> void aPlantedMixtureIsRecovered(Case<P, S> c) {
        MixtureFamily<P, S> family = c.family(c.plantedDim());
        P truth = family.planted(3, c.plantedDim(), 4.0, 41);
        Drawn drawn = draw(family, truth, 6000, 42);
        LocalBlockSource src = LocalBlockSource.of(drawn.rows(), null, 1000);
        FitConfig cfg = structured(c, new FitConfig(3, CovarianceType.FULL, InitMethod.KMEANS_PLUS_PLUS, 2, 200, 1e-8, 1e-6, 43));
        FitResult<P> r = new EmFitter(FitListener.NONE).fit(family, EmFitter.initialization(family), src, cfg, Checkpointer.none());
        RowBlock all = RowBlock.ofRows(drawn.rows(), null, 0);
        // The maximum-likelihood fit explains its sample at least as well as the truth does.
        assertTrue(r.avgLogLikelihood() >= meanLogLikelihood(family, truth, all) - 1e-9);
        // Components 4 standard deviations apart (Gaussian), or 30 features whose logits or log-rates differ by
        // about 2.3 between two components (Bernoulli, Poisson): the fit's hard assignments agree with the planted
        // components on at least 97% of the rows, up to relabelling (the Bayes error is below 1%: the truth's own
        // assignments are checked to agree on 99%).
        double[] resp = new double[6000 * 3];
        new EStep<>(family.scorer(r.params())).posterior(all, resp, new double[6000]);
        int[][] counts = new int[3][3];
        for (int i = 0; i < 6000; i++) {
            int best = 0;
            for (int k = 1; k < 3; k++) {
                best = resp[i + k * 6000] > resp[i + best * 6000] ? k : best;
            }
            counts[drawn.labels()[i]][best]++;
        }
        int agree = 0;
        for (int[] perm : new int[][]{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}) {
            agree = Math.max(agree, counts[0][perm[0]] + counts[1][perm[1]] + counts[2][perm[2]]);
        }
        assertTrue(agree >= 0.97 * 6000, c + ": " + agree + " of 6000 rows assigned to their planted component");
        new EStep<>(family.scorer(truth)).posterior(all, resp, new double[6000]);
        int bayes = 0;
        for (int i = 0; i < 6000; i++) {
            int best = 0;
            for (int k = 1; k < 3; k++) {
                best = resp[i + k * 6000] > resp[i + best * 6000] ? k : best;
            }
            bayes += best == drawn.labels()[i] ? 1 : 0;
        }
        assertTrue(bayes >= 0.99 * 6000, c + ": the truth itself assigns only " + bayes + " of 6000 rows right");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    <P extends MixtureParams, S extends MixtureStats<S>> void theCodecRoundTripsBitForBit(Case<P, S> c)
            throws Exception {
        MixtureFamily<P, S> family = c.family(5);
        ParamsCodec<P> codec = family.codec();
        P p = family.planted(3, 5, 2.0, 51);
        ObjectMapper json = new ObjectMapper();
        ObjectNode written = json.createObjectNode();
        codec.write(p, written);
        String text = json.writeValueAsString(written);
        P read = codec.read(codec.structure(p), json.readTree(text));
        ObjectNode again = json.createObjectNode();
        codec.write(read, again);
        assertEquals(text, json.writeValueAsString(again));
        assertEquals(family.name(), codec.family());
        assertArrayEquals(family.toVector(p), family.toVector(read), 0.0);
        RowBlock b = RowBlock.ofRows(draw(family, p, 200, 52).rows(), null, 0);
        S original = stats(family.scorer(p), b);
        S reread = stats(family.scorer(read), b);
        assertArrayEquals(original.values(), reread.values(), 0.0);
        assertEquals(original.logLikelihood, reread.logLikelihood, 0.0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    <P extends MixtureParams, S extends MixtureStats<S>> void theMissingCellPathEqualsTheCompletePathOnCompleteRows(
            Case<P, S> c) {
        MixtureFamily<P, S> family = c.family(4);
        P p = family.planted(3, 4, 2.5, 61);
        RowBlock b = RowBlock.ofRows(draw(family, p, 500, 62).rows(), weights(500, 63), 0);
        MixtureScorer<S> scorer = family.scorer(p);
        S complete = stats(scorer, b);
        S viaMissing = stats(new MissingKernelOnly<>(scorer), b);
        assertSameSums(complete.values(), viaMissing.values(), c + ": statistics");
        assertEquals(complete.logLikelihood, viaMissing.logLikelihood, 1e-10 * Math.abs(complete.logLikelihood));
        assertEquals(complete.weight, viaMissing.weight, 1e-12 * complete.weight);
    }

    /**
     * Families whose features are independent given the component read sparse blocks: the same rows as a
     * sparse block (their zeros not stored) and as a dense block give the same log-densities and statistics,
     * up to the order of summation. Gaussian rows get 60% zeros; binary and count rows have their own.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    <P extends MixtureParams, S extends MixtureStats<S>> void theSparseKernelEqualsTheDenseOne(Case<P, S> c) {
        MixtureFamily<P, S> family = c.family(6);
        P p = family.planted(3, 6, 2.0, 71);
        MixtureScorer<S> scorer = family.scorer(p);
        try {
            scorer.sparseKernel();
        } catch (UnsupportedOperationException e) {
            org.junit.jupiter.api.Assumptions.abort("no sparse input for " + c);
        }
        double[][] x = draw(family, p, 700, 72).rows();
        SplittableRandom rng = new SplittableRandom(73);
        for (double[] r : x) {
            for (int j = 0; j < r.length; j++) {
                if (family instanceof GaussianFamily && rng.nextDouble() < 0.6) {
                    r[j] = 0;
                }
            }
        }
        double[] w = weights(700, 74);
        RowBlock dense = RowBlock.ofRows(x, w, 0);
        RowBlock sparse = RowBlock.sparseOfRows(x, w, 0);
        assertTrue(sparse.isSparse() && sparse.nonZeros.length < 700 * 6);
        S a = stats(scorer, dense);
        S b = stats(scorer, sparse);
        assertSameSums(a.values(), b.values(), c + ": statistics");
        assertEquals(a.logLikelihood, b.logLikelihood, 1e-10 * Math.abs(a.logLikelihood));
        double[] la = new double[700 * 3];
        double[] lb = new double[700 * 3];
        new EStep<>(scorer).logJoint(dense, la);
        new EStep<>(scorer).logJoint(sparse, lb);
        assertSameSums(la, lb, c + ": log-densities");
        // A mini-batch of a sparse block is the sparse block of the mini-batch's rows.
        RowBlock half = sparse.sample(0.5, 9, 0);
        RowBlock halfDense = dense.sample(0.5, 9, 0);
        assertSameSums(stats(scorer, halfDense).values(), stats(scorer, half).values(), c + ": sampled");
    }

    /** The scorer with its missing-cell kernel for every block. */
    private record MissingKernelOnly<S extends MixtureStats<S>>(MixtureScorer<S> s) implements MixtureScorer<S> {
        @Override
        public int k() {
            return s.k();
        }

        @Override
        public int dim() {
            return s.dim();
        }

        @Override
        public dev.mixem.family.Imputer imputer() {
            return s.imputer();
        }

        @Override
        public S emptyStats() {
            return s.emptyStats();
        }

        @Override
        public ChunkKernel<S> completeKernel() {
            return s.missingKernel();
        }

        @Override
        public ChunkKernel<S> missingKernel() {
            return s.missingKernel();
        }
    }

    /** The configuration with the case's covariance structure (FitConfig names one for every family today). */
    private static FitConfig structured(Case<?, ?> c, FitConfig cfg) {
        if (c.family(3) instanceof StudentTFamily t) {
            return cfg.withCovariance(t.covarianceType(), cfg.regCovar()).withFamily(dev.mixem.config.Family.STUDENT_T, 0)
                    .withDof(t.fixedDof());
        }
        if (!(c.family(3) instanceof GaussianFamily g)) {
            return cfg;
        }
        return g.covarianceType() == CovarianceType.FACTOR ? cfg.withFactors(g.factors(), cfg.regCovar())
                : cfg.withCovariance(g.covarianceType(), cfg.regCovar());
    }
}
