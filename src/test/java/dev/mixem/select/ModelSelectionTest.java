package dev.mixem.select;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.gaussian.SyntheticMixture;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import dev.mixem.source.BlockPass;
import dev.mixem.source.BlockSource;
import dev.mixem.source.LocalBlockSource;
import dev.mixem.stats.Mergeable;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lock-step selection without Spark: each candidate is the fit it would be alone, in far fewer passes. */
class ModelSelectionTest {

    static double[][] rows(GaussianParams truth, int n, long seed) {
        SyntheticMixture.Sampler s = new SyntheticMixture.Sampler(truth);
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] x = new double[n][truth.dim()];
        for (double[] r : x) {
            s.draw(rng, r);
        }
        return x;
    }

    /** Counts the passes run on a source. */
    static class Counting implements BlockSource {
        final BlockSource inner;
        final AtomicInteger passes = new AtomicInteger();

        Counting(BlockSource inner) {
            this.inner = inner;
        }

        @Override
        public <S extends Mergeable<S>> S aggregate(BlockPass<S> pass, String d, double f, long seed) {
            passes.incrementAndGet();
            return inner.aggregate(pass, d, f, seed);
        }

        @Override
        public Sample sample(double fraction, long seed) {
            return inner.sample(fraction, seed);
        }

        @Override
        public int dim() {
            return inner.dim();
        }

        @Override
        public long rows() {
            return inner.rows();
        }

        @Override
        public double totalWeight() {
            return inner.totalWeight();
        }

        @Override
        public double[] observedMeans() {
            return inner.observedMeans();
        }
    }

    static final GaussianParams TRUTH = SyntheticMixture.random(CovarianceType.FULL, 3, 2, 4, 11);
    static final double[][] X = rows(TRUTH, 3000, 5);
    static final FitConfig BASE = FitConfig.defaults(1).withSeed(7);

    static ModelSelection.Options options(long maxStatsBytes) {
        return new ModelSelection.Options(List.of(1, 2, 3, 4), List.of(CovarianceType.FULL, CovarianceType.DIAG), 2,
                Criterion.BIC, BASE, maxStatsBytes);
    }

    @Test
    void everyCandidateIsTheFitItWouldBeAloneAndTheBatchTakesFarFewerPasses() {
        Counting src = new Counting(LocalBlockSource.of(X, null, 500));
        ModelSelection.Outcome out = ModelSelection.run(src, options(1L << 30), m -> { });
        assertEquals(16, out.candidates().size());
        int separatePasses = 0;
        for (ModelSelection.Candidate c : out.candidates()) {
            assertNull(c.failure(), c.toString());
            if (c.restart() == 0) {
                // Restart 0 of (K, structure) is exactly fit --k K --covariance structure --seed 7.
                Counting alone = new Counting(LocalBlockSource.of(X, null, 500));
                FitResult<GaussianParams> r = new EmFitter(FitListener.NONE).fit(alone,
                        new FitConfig(c.k(), c.type(), BASE.init(), 1, BASE.maxIter(), BASE.tol(), BASE.regCovar(), 7));
                assertEquals(r.avgLogLikelihood(), c.avgLogLikelihood(), 0.0, c.toString());
                assertEquals(r.iterations(), c.iterations(), c.toString());
                separatePasses += alone.passes.get();
            }
        }
        // One pass per lock-step iteration for all 16 candidates (plus initialization and ICL's pass), against
        // the sum of the candidates' own passes.
        assertTrue(src.passes.get() < separatePasses, src.passes.get() + " lock-step passes vs " + separatePasses
                + " for restart 0 alone");
        assertEquals(1, out.batches());
    }

    /**
     * The number of factors is a candidate axis: on a planted mixture of factor analyzers (d=6, two factors),
     * every factor candidate is the fit it would be alone (bit for bit), and BIC prefers two factors to one and
     * to three at the planted K.
     */
    @Test
    void factorsAreACandidateAxis() {
        GaussianParams truth = SyntheticMixture.random(CovarianceType.FACTOR, 2, 2, 6, 4.0, 21);
        double[][] x = rows(truth, 4000, 22);
        ModelSelection.Options o = new ModelSelection.Options(List.of(1, 2), List.of(CovarianceType.DIAG,
                CovarianceType.FACTOR), 1, Criterion.BIC, BASE, 1L << 30, false, List.of(1, 2, 3));
        ModelSelection.Outcome out = ModelSelection.run(LocalBlockSource.of(x, null, 500), o, m -> { });
        assertEquals(2 + 2 * 3, out.candidates().size());
        for (ModelSelection.Candidate c : out.candidates()) {
            assertNull(c.failure(), c.toString());
            if (c.type() == CovarianceType.FACTOR) {
                FitConfig alone = new FitConfig(c.k(), c.type(), BASE.init(), 1, BASE.maxIter(), BASE.tol(),
                        BASE.regCovar(), 7, dev.mixem.config.MethodOptions.defaults(dev.mixem.config.FitMethod.EM,
                        Double.POSITIVE_INFINITY), c.factors());
                FitResult<GaussianParams> r = new EmFitter(FitListener.NONE).fit(LocalBlockSource.of(x, null, 500), alone);
                assertEquals(r.avgLogLikelihood(), c.avgLogLikelihood(), 0.0, c.toString());
                assertEquals(c.factors(), r.params().factors());
                assertEquals("factor q=" + c.factors(), c.structure());
            }
        }
        ModelSelection.Candidate chosen = out.candidates().get(out.chosen());
        assertEquals(2, chosen.k(), chosen.toString());
        assertEquals(CovarianceType.FACTOR, chosen.type(), chosen.toString());
        assertEquals(2, chosen.factors(), chosen.toString());
        assertEquals(2, out.chosenFit().params().factors());
        assertThrows(IllegalArgumentException.class, () -> new ModelSelection.Options(List.of(1),
                List.of(CovarianceType.FACTOR), 1, Criterion.BIC, BASE, 1L << 30));
    }

    @Test
    void criteriaFollowTheirFormulasAndThePlantedKIsChosen() {
        ModelSelection.Outcome out = ModelSelection.run(LocalBlockSource.of(X, null, 500), options(1L << 30), m -> { });
        double n = X.length;
        for (ModelSelection.Candidate c : out.candidates()) {
            double total = c.avgLogLikelihood() * n;
            // Free parameters as scikit-learn counts them: full k·d(d+1)/2 + k·d + k − 1, diag 2·k·d + k − 1.
            long p = c.type() == CovarianceType.FULL ? c.k() * 3L + c.k() * 2L + c.k() - 1 : 2L * c.k() * 2 + c.k() - 1;
            assertEquals(p, c.freeParameters(), c.toString());
            assertEquals(-2 * total + p * Math.log(n), c.bic(), 1e-9 * Math.abs(c.bic()));
            assertEquals(-2 * total + 2 * p, c.aic(), 1e-9 * Math.abs(c.aic()));
            // ICL adds twice a non-negative entropy, which is 0 for one component.
            assertTrue(c.icl() >= c.bic() - 1e-9, c.toString());
            if (c.k() == 1) {
                assertEquals(c.bic(), c.icl(), 1e-9 * Math.abs(c.bic()));
            }
        }
        ModelSelection.Candidate chosen = out.candidates().get(out.chosen());
        assertEquals(3, chosen.k(), chosen.toString());
        assertEquals(CovarianceType.FULL, chosen.type());
        assertTrue(ModelSelection.representative(out.candidates(), out.chosen()));
        assertEquals(chosen.avgLogLikelihood(), out.chosenFit().avgLogLikelihood(), 0.0);
    }

    @Test
    void smallBatchesGiveTheSameTableBitForBit() {
        ModelSelection.Outcome one = ModelSelection.run(LocalBlockSource.of(X, null, 500), options(1L << 30), m -> { });
        ModelSelection.Outcome many = ModelSelection.run(LocalBlockSource.of(X, null, 500), options(1), m -> { });
        assertEquals(16, many.batches());
        for (int i = 0; i < one.candidates().size(); i++) {
            assertEquals(one.candidates().get(i), many.candidates().get(i).withSeconds(one.candidates().get(i).seconds()));
        }
        assertArrayEquals(one.chosenFit().params().means(), many.chosenFit().params().means(), 0.0);
    }

    @Test
    void aCandidateThatCannotBeFittedSaysWhyAndTheOthersGoOn() {
        double[][] few = new double[5][];
        System.arraycopy(X, 0, few, 0, 5);
        ModelSelection.Outcome out = ModelSelection.run(LocalBlockSource.of(few, null, 500),
                new ModelSelection.Options(List.of(1, 8), List.of(CovarianceType.DIAG), 1, Criterion.BIC, BASE, 1L << 30),
                m -> { });
        assertNull(out.candidates().get(0).failure());
        assertNotNull(out.candidates().get(1).failure());
        assertTrue(out.candidates().get(1).failure().contains("larger than the number of rows"),
                out.candidates().get(1).failure());
        assertEquals(0, out.chosen());
    }

    @Test
    void kRangesAndListsParse() {
        assertEquals(List.of(1, 2, 3, 4, 8, 10), KList.parse("1..4,8,10"));
        assertEquals(List.of(2, 3), KList.parse("3,2,3"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> KList.parse("4..2"));
        assertTrue(e.getMessage().contains("4..2"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> KList.parse("0..3"));
    }

    /** Checkpoints kept in memory, one per candidate; saving fails with an Error after {@code crashAfter} saves. */
    static final class MemoryCheckpoints implements ModelSelection.Checkpoints {
        final java.util.Map<String, dev.mixem.fit.FitCheckpoint<GaussianParams>> saved =
                new java.util.concurrent.ConcurrentHashMap<>();
        final AtomicInteger saves = new AtomicInteger();
        final int crashAfter;
        final boolean resume;

        MemoryCheckpoints(int crashAfter, boolean resume, MemoryCheckpoints from) {
            this.crashAfter = crashAfter;
            this.resume = resume;
            if (from != null) {
                saved.putAll(from.saved);
            }
        }

        @Override
        public dev.mixem.fit.Checkpointer<GaussianParams> forCandidate(FitConfig cfg, int restart) {
            String key = cfg.k() + cfg.covarianceType().name() + restart;
            return new dev.mixem.fit.Checkpointer<>() {
                @Override
                public int every() {
                    return 2;
                }

                @Override
                public void save(dev.mixem.fit.FitCheckpoint<GaussianParams> state) {
                    if (saves.incrementAndGet() > crashAfter) {
                        throw new AssertionError("simulated crash of the driver");
                    }
                    saved.put(key, state);
                }

                @Override
                public dev.mixem.fit.FitCheckpoint<GaussianParams> resume() {
                    return resume ? saved.get(key) : null;
                }
            };
        }
    }

    @Test
    void aSelectionResumedFromItsCheckpointsGivesTheUninterruptedTable() {
        ModelSelection.Outcome whole = ModelSelection.run(LocalBlockSource.of(X, null, 500), options(1L << 30), m -> { });
        MemoryCheckpoints first = new MemoryCheckpoints(20, false, null);
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> ModelSelection.run(LocalBlockSource.of(X, null, 500), options(1L << 30), m -> { }, first));
        assertTrue(first.saved.size() > 0 && first.saves.get() > 20, "the crash came after some checkpoints");
        ModelSelection.Outcome resumed = ModelSelection.run(LocalBlockSource.of(X, null, 500), options(1L << 30),
                m -> { }, new MemoryCheckpoints(Integer.MAX_VALUE, true, first));
        for (int i = 0; i < whole.candidates().size(); i++) {
            assertEquals(whole.candidates().get(i),
                    resumed.candidates().get(i).withSeconds(whole.candidates().get(i).seconds()));
        }
        assertArrayEquals(whole.chosenFit().params().covariances(), resumed.chosenFit().params().covariances(), 0.0);
    }

    @Test
    void pruningStopsOnlyCandidatesThatCannotWinAndIsDeterministic() {
        // A harder planted mixture (separation 2) so that candidates take many iterations.
        GaussianParams truth = SyntheticMixture.random(CovarianceType.FULL, 4, 3, 2, 5);
        double[][] x = rows(truth, 4000, 9);
        ModelSelection.Options plain = new ModelSelection.Options(List.of(1, 2, 3, 4, 5, 6), List.of(CovarianceType.FULL,
                CovarianceType.SPHERICAL), 1, Criterion.BIC, FitConfig.defaults(1).withSeed(3).withMaxIter(500, 1e-6),
                1L << 30, false);
        ModelSelection.Options pruning = new ModelSelection.Options(plain.ks(), plain.types(), 1, Criterion.BIC,
                plain.base(), 1L << 30, true);
        ModelSelection.Outcome all = ModelSelection.run(LocalBlockSource.of(x, null, 500), plain, m -> { });
        ModelSelection.Outcome a = ModelSelection.run(LocalBlockSource.of(x, null, 500), pruning, m -> { });
        ModelSelection.Outcome b = ModelSelection.run(LocalBlockSource.of(x, null, 500), pruning, m -> { });
        int prunedCount = 0;
        for (int i = 0; i < all.candidates().size(); i++) {
            ModelSelection.Candidate full = all.candidates().get(i);
            ModelSelection.Candidate p = a.candidates().get(i);
            assertEquals(p, b.candidates().get(i).withSeconds(p.seconds()), "deterministic");
            if (p.pruned()) {
                prunedCount++;
                // Pruned early, and rightly: run to the end it loses to the chosen model.
                assertTrue(p.iterations() < full.iterations(), p + " vs " + full);
                assertTrue(full.bic() > all.candidates().get(all.chosen()).bic(), full.toString());
            } else {
                assertEquals(full, p.withSeconds(full.seconds()));
            }
        }
        assertEquals(all.chosen(), a.chosen());
        assertTrue(prunedCount > 0, "some candidate was pruned: " + a.candidates());
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void aFailedPassStopsTheSelectionInsteadOfHangingIt() {
        // Spark's job failures are checked exceptions thrown undeclared; every candidate waiting for the pass
        // must be released and the selection must fail, naming the cause.
        BlockSource failing = new Counting(LocalBlockSource.of(X, null, 500)) {
            @Override
            public <S extends Mergeable<S>> S aggregate(BlockPass<S> pass, String d, double f, long seed) {
                if (passes.incrementAndGet() > 3) {
                    throw sneaky(new java.io.IOException("executor lost for good"));
                }
                return inner.aggregate(pass, d, f, seed);
            }
        };
        RuntimeException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                        () -> ModelSelection.run(failing, options(1L << 30), m -> { })));
        assertTrue(String.valueOf(e.getMessage()).contains("executor lost for good"), String.valueOf(e.getMessage()));
    }
}
