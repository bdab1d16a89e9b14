package dev.mixem.model;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.family.MixtureParams;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.gaussian.SyntheticMixture;
import dev.mixem.fit.Checkpointer;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitCheckpoint;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import dev.mixem.source.LocalBlockSource;
import dev.mixem.fit.TraceEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints through their JSON file: a fit killed mid-way and resumed from its last checkpoint ends with
 * the model of an uninterrupted fit, bit for bit; damaged or foreign checkpoints are refused.
 */
class CheckpointFormatTest {
    static final Map<String, Object> INPUT = Map.of("path", "memory");
    static final String FINGERPRINT = "sha256:test";

    /** Keeps the last checkpoint as the JSON text a file would hold. */
    static final class FileLike implements Checkpointer<GaussianParams> {
        final int every;
        final Map<String, Object> configuration;
        String json;
        boolean resume;
        int saves;

        FileLike(int every, FitConfig cfg) {
            this.every = every;
            this.configuration = cfg.toMap();
        }

        @Override
        public int every() {
            return every;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void save(FitCheckpoint<GaussianParams> state) {
            json = CheckpointFormat.toJson((FitCheckpoint<MixtureParams>) (FitCheckpoint<?>) state, configuration,
                    INPUT, FINGERPRINT);
            saves++;
        }

        @Override
        @SuppressWarnings("unchecked")
        public FitCheckpoint<GaussianParams> resume() {
            return resume ? (FitCheckpoint<GaussianParams>) (FitCheckpoint<?>) CheckpointFormat.fromJson(json,
                    "checkpoint.json", configuration, FINGERPRINT) : null;
        }
    }

    static final class DriverLost extends RuntimeException {
        DriverLost() {
            super("driver lost");
        }
    }

    static LocalBlockSource data(CovarianceType type) {
        GaussianParams truth = SyntheticMixture.random(type, 3, 3, 1.5, 4);
        SyntheticMixture.Sampler s = new SyntheticMixture.Sampler(truth);
        SplittableRandom rng = new SplittableRandom(8);
        double[][] x = new double[3000][3];
        for (double[] r : x) {
            s.draw(rng, r);
        }
        return LocalBlockSource.of(x, null, 400);
    }

    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = "FACTOR", mode = EnumSource.Mode.EXCLUDE)
    void aResumedFitEndsWithTheUninterruptedModel(CovarianceType type) {
        LocalBlockSource src = data(type);
        // Three restarts of 25 iterations (tol 0); the crash comes in the second restart, after iteration 13,
        // so the resumed fit must carry the first restart's result and redo iterations 10..13 of the second.
        FitConfig cfg = FitConfig.defaults(3).withCovariance(type, 1e-6).withNInit(3).withMaxIter(25, 0.0).withSeed(6);
        FitResult<GaussianParams> whole = new EmFitter(FitListener.NONE).fit(src, cfg);

        FileLike store = new FileLike(5, cfg);
        FitListener crash = (restart, status) -> {
            if (restart == 1 && status.iteration() == 13) {
                throw new DriverLost();
            }
        };
        assertThrows(DriverLost.class, () -> new EmFitter(crash).fit(src, cfg, store));
        FitCheckpoint<MixtureParams> saved = CheckpointFormat.fromJson(store.json, "checkpoint.json", cfg.toMap(), FINGERPRINT);
        assertEquals(1, saved.restart());
        assertEquals(10, saved.iteration());
        assertEquals(1, saved.restartLogLikelihoods().size());

        store.resume = true;
        List<Integer> seen = new ArrayList<>();
        FitResult<GaussianParams> resumed = new EmFitter((restart, status) -> seen.add(restart * 100 + status.iteration()))
                .fit(src, cfg, store);
        assertEquals(110, seen.get(0), "the resumed fit starts with the E-step of restart 2, iteration 10");
        assertArrayEquals(whole.params().weights(), resumed.params().weights(), 0.0);
        assertArrayEquals(whole.params().means(), resumed.params().means(), 0.0);
        assertArrayEquals(whole.params().covariances(), resumed.params().covariances(), 0.0);
        assertEquals(whole.avgLogLikelihood(), resumed.avgLogLikelihood(), 0.0);
        assertEquals(whole.restart(), resumed.restart());
        assertEquals(whole.iterations(), resumed.iterations());
        assertEquals(whole.restartLogLikelihoods(), resumed.restartLogLikelihoods());
        assertEquals(whole.trace().stream().map(TraceEntry::avgLogLikelihood).toList(),
                resumed.trace().stream().map(TraceEntry::avgLogLikelihood).toList());
    }

    FileLike savedCheckpoint(FitConfig cfg) {
        FileLike store = new FileLike(2, cfg);
        new EmFitter(FitListener.NONE).fit(data(CovarianceType.FULL), cfg, store);
        assertTrue(store.saves > 1);
        return store;
    }

    @Test
    void aCheckpointOfAnotherConfigurationOrInputIsRefused() {
        FitConfig cfg = FitConfig.defaults(3).withMaxIter(4, 0.0);
        String json = savedCheckpoint(cfg).json;
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> CheckpointFormat.fromJson(json, "cp.json", cfg.withSeed(9).toMap(), FINGERPRINT));
        assertTrue(e.getMessage().contains("another configuration") && e.getMessage().contains("seed was 0, now 9"),
                e.getMessage());
        e = assertThrows(ModelFormatException.class,
                () -> CheckpointFormat.fromJson(json, "cp.json", cfg.toMap(), "sha256:other"));
        assertTrue(e.getMessage().contains("other input"), e.getMessage());
    }

    @Test
    void aTruncatedOrAlteredCheckpointIsRefused() {
        FitConfig cfg = FitConfig.defaults(3).withMaxIter(4, 0.0);
        String json = savedCheckpoint(cfg).json;
        for (int cut : new int[]{json.length() / 3, json.length() - 3}) {
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> CheckpointFormat.fromJson(json.substring(0, cut), "cp.json", cfg.toMap(), FINGERPRINT));
            assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        }
        String altered = json.replaceFirst("\"iteration\" : (\\d+)", "\"iteration\" : 1$1");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> CheckpointFormat.fromJson(altered, "cp.json", cfg.toMap(), FINGERPRINT));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        String noSum = MixtureModelTest.withoutChecksum(json);
        e = assertThrows(ModelFormatException.class,
                () -> CheckpointFormat.fromJson(noSum, "cp.json", cfg.toMap(), FINGERPRINT));
        assertTrue(e.getMessage().contains("no checksum"), e.getMessage());
        String future = json.replace("\"formatVersion\" : 1", "\"formatVersion\" : 2");
        e = assertThrows(ModelFormatException.class,
                () -> CheckpointFormat.fromJson(future, "cp.json", cfg.toMap(), FINGERPRINT));
        assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
    }
}
