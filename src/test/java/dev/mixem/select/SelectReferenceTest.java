package dev.mixem.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InitMethod;
import dev.mixem.source.LocalBlockSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * select against scikit-learn (src/test/python/sklearn_select_reference.py, committed numbers): the same chosen
 * (K, covariance), and every candidate's BIC within 1e-3 relative of scikit-learn's best of 20 starts, with 20
 * restarts a candidate here too, both run to tol 1e-8. Candidates whose reference is not stable (scikit-learn's
 * best of 20 differs between its seeds, or from its best of 200) are counted, not compared.
 */
class SelectReferenceTest {

    static double[][] csv(String name) throws IOException {
        try (InputStream in = SelectReferenceTest.class.getResourceAsStream("/reference/" + name + ".csv")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            List<double[]> rows = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                String[] f = lines[i].split(",");
                double[] r = new double[f.length];
                for (int j = 0; j < f.length; j++) {
                    r[j] = Double.parseDouble(f[j]);
                }
                rows.add(r);
            }
            return rows.toArray(new double[0][]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"iris", "wine_std"})
    void theChosenModelAndEveryBicAgreeWithScikitLearn(String dataset) throws IOException {
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/reference/select-reference.json")) {
            ref = new ObjectMapper().readTree(in).get("datasets").get(dataset);
        }
        List<Integer> ks = new ArrayList<>();
        ref.get("k").forEach(k -> ks.add(k.asInt()));
        double[][] x = csv(dataset);
        FitConfig base = new FitConfig(1, CovarianceType.FULL, InitMethod.KMEANS_PLUS_PLUS, 1, 2000, 1e-8, 1e-6, 0);
        ModelSelection.Outcome out = ModelSelection.run(LocalBlockSource.of(x, null, 64),
                new ModelSelection.Options(ks, CovarianceType.WITHOUT_FACTORS, Integer.getInteger("selectNInit", 20), Criterion.BIC, base, 1L << 30),
                m -> { });
        List<ModelSelection.Candidate> table = out.candidates();
        int checked = 0;
        List<String> off = new ArrayList<>();
        int unstable = 0;
        for (JsonNode r : ref.get("candidates")) {
            CovarianceType type = CovarianceType.parse(r.get("covariance").asText());
            int k = r.get("k").asInt();
            for (int i = 0; i < table.size(); i++) {
                ModelSelection.Candidate c = table.get(i);
                if (c.k() == k && c.type() == type && ModelSelection.representative(table, i)) {
                    double want = r.get("bic").asDouble();
                    assertEquals(r.get("freeParameters").asLong(), c.freeParameters(), c.toString());
                    checked++;
                    if (!r.get("stable").asBoolean()) {
                        // scikit-learn's own best of 20 changes with its seed here (competing optima that 20
                        // starts find by luck): no number of starts can agree with one draw of it.
                        unstable++;
                        continue;
                    }
                    if (!(Math.abs(want - c.bic()) <= 1e-3 * Math.abs(want))) {
                        off.add(String.format(java.util.Locale.ROOT, "k=%d %s: %.4f here, %.4f scikit-learn", k,
                                type.serializedName(), c.bic(), want));
                    }
                }
            }
        }
        assertEquals(ref.get("candidates").size(), checked);
        assertTrue(off.isEmpty(), dataset + ": " + off);
        // iris k=5 full and tied, wine k=3 and 4 full: 4 of the 36 candidates.
        assertTrue(unstable <= 2, dataset + ": " + unstable + " candidates without a stable reference");
        ModelSelection.Candidate chosen = table.get(out.chosen());
        assertEquals(ref.get("chosen").get("k").asInt(), chosen.k(), chosen.toString());
        assertEquals(ref.get("chosen").get("covariance").asText(), chosen.type().serializedName());
        assertTrue(out.jobs() > 0);
    }
}
