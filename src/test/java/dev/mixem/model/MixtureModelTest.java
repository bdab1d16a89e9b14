package dev.mixem.model;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.gaussian.SyntheticMixture;
import dev.mixem.fit.TraceEntry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class MixtureModelTest {

    public static MixtureModel model(CovarianceType type) {
        GaussianParams p = SyntheticMixture.random(type, 3, 2, 4, 5);
        return new MixtureModel(p, List.of("a", "b"), null,
                new MixtureModel.FitSummary(-2.5, 7, true, 1000, 1000, null, 3, 0, 1e-6, 42,
                        List.of(new TraceEntry(0, -3, Double.NaN, 0, 0.1, false, true),
                                new TraceEntry(1, -2.5, 0.5, 1, 0.1, false, true)),
                        List.of(-2.5)),
                Map.of("mixemVersion", "test"));
    }

    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = "FACTOR", mode = EnumSource.Mode.EXCLUDE)
    void jsonRoundTripIsExact(CovarianceType type) {
        MixtureModel m = model(type);
        MixtureModel back = MixtureModel.fromJson(m.toJson(), "test");
        // Jackson writes the shortest decimal that reads back to the same double: exact round trip.
        assertArrayEquals(m.gaussian().weights(), back.gaussian().weights(), 0.0);
        assertArrayEquals(m.gaussian().means(), back.gaussian().means(), 0.0);
        assertArrayEquals(m.gaussian().covariances(), back.gaussian().covariances(), 0.0);
        assertEquals(m.summary(), back.summary());
        assertEquals(m.featureNames(), back.featureNames());
    }

    @Test
    void unknownFormatVersionIsRefused() {
        String json = model(CovarianceType.FULL).toJson().replace("\"formatVersion\" : " + MixtureModel.FORMAT_VERSION, "\"formatVersion\" : 99");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> MixtureModel.fromJson(json, "m.json"));
        assertTrue(e.getMessage().contains("format version 99"), e.getMessage());
    }

    @Test
    void truncatedJsonIsRefused() {
        String json = model(CovarianceType.FULL).toJson();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> MixtureModel.fromJson(json.substring(0, json.length() / 2), "m.json"));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void covarianceThatIsNotPositiveDefiniteIsRefused() {
        // A hand edit: the checksum removed, as the refusal message for edited files says to do.
        String json = withoutChecksum(model(CovarianceType.DIAG).toJson());
        String broken = json.replaceFirst("\"variances\" : \\[ \\[ [0-9.Ee-]+", "\"variances\" : [ [ -1.0");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> MixtureModel.fromJson(broken, "m.json"));
        assertTrue(e.getMessage().contains("variance"), e.getMessage());
    }

    static String withoutChecksum(String json) {
        return json.replaceFirst(",\\s*\"checksum\" : \"[^\"]*\"", "");
    }

    @Test
    void alteredContentIsRefusedByTheChecksum() {
        String json = model(CovarianceType.FULL).toJson();
        assertTrue(json.contains("\"checksum\" : \"sha256:"));
        // One changed digit in a mean: still valid JSON and a valid model, but not the one that was saved.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"means\" : \\[ \\[ (-?)(\\d)").matcher(json);
        assertTrue(m.find());
        char digit = m.group(2).charAt(0);
        String altered = json.substring(0, m.start(2)) + (char) (digit == '9' ? '8' : digit + 1) + json.substring(m.end(2));
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> MixtureModel.fromJson(altered, "m.json"));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        // With the checksum field removed (a deliberate edit), the edited model loads.
        MixtureModel edited = MixtureModel.fromJson(withoutChecksum(altered), "m.json");
        assertTrue(edited.gaussian().means()[0] != model(CovarianceType.FULL).gaussian().means()[0]);
    }

    @Test
    void skippedRowsRoundTrip() {
        MixtureModel m = model(CovarianceType.DIAG);
        MixtureModel.FitSummary s = m.summary();
        MixtureModel skipped = new MixtureModel(m.params(), m.featureNames(), null,
                new MixtureModel.FitSummary(s.avgLogLikelihood(), s.iterations(), s.converged(), s.rows(),
                        s.totalWeight(), null, 3, 0, 1e-6, 42, s.trace(), s.restartLogLikelihoods(), "skip",
                        java.util.Map.of("notANumber", 4L, "nan", 1L)), Map.of());
        MixtureModel back = MixtureModel.fromJson(skipped.toJson(), "test");
        assertEquals("skip", back.summary().invalidPolicy());
        assertEquals(5, back.summary().skippedTotal());
        assertEquals(skipped.summary().skippedRows(), back.summary().skippedRows());
        assertTrue(skipped.toJson().contains("\"invalidRows\""));
    }
}
