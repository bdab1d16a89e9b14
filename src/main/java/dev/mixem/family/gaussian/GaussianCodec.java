package dev.mixem.family.gaussian;

import dev.mixem.family.ParamsCodec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.config.CovarianceType;

import static dev.mixem.family.JsonFields.addArray;
import static dev.mixem.family.JsonFields.checkLength;
import static dev.mixem.family.JsonFields.integer;
import static dev.mixem.family.JsonFields.require;
import static dev.mixem.family.JsonFields.vector;

/**
 * The Gaussian family's parameters in JSON: {@code k}, {@code dimension}, {@code weights} [K], {@code means}
 * [K][D], and by structure {@code covariances} [K][D][D] (full), {@code covariance} [D][D] (tied),
 * {@code variances} [K][D] (diag) or [K] (spherical), or for factor {@code factors} (q), {@code uniquenesses}
 * [K][D] and {@code loadings} [K][D][q] (Σ_k = Λ_k Λ_kᵀ + Ψ_k). Matrices are written row by row; every variance
 * includes reg-covar. Reading checks every shape and value and that each covariance is positive definite
 * (through {@link GaussianParams}).
 */
public final class GaussianCodec implements ParamsCodec<GaussianParams> {
    public static final GaussianCodec INSTANCE = new GaussianCodec();

    private GaussianCodec() {
    }

    @Override
    public String family() {
        return "gaussian";
    }

    @Override
    public String structure(GaussianParams p) {
        return p.type().serializedName();
    }

    @Override
    public void write(GaussianParams params, ObjectNode root) {
        int k = params.k();
        int d = params.dim();
        root.put("k", k);
        root.put("dimension", d);
        ArrayNode w = root.putArray("weights");
        for (int c = 0; c < k; c++) {
            w.add(params.weight(c));
        }
        ArrayNode means = root.putArray("means");
        for (int c = 0; c < k; c++) {
            addArray(means.addArray(), params.mean(c));
        }
        switch (params.type()) {
            case FULL -> {
                ArrayNode covs = root.putArray("covariances");
                for (int c = 0; c < k; c++) {
                    addMatrix(covs.addArray(), params.covariance(c), d);
                }
            }
            case TIED -> addMatrix(root.putArray("covariance"), params.covariance(0), d);
            case DIAG -> {
                ArrayNode vars = root.putArray("variances");
                for (int c = 0; c < k; c++) {
                    addArray(vars.addArray(), params.covariance(c));
                }
            }
            case SPHERICAL -> addArray(root.putArray("variances"), params.covariances());
            case FACTOR -> {
                int q = params.factors();
                root.put("factors", q);
                ArrayNode psi = root.putArray("uniquenesses");
                ArrayNode lam = root.putArray("loadings");
                for (int c = 0; c < k; c++) {
                    addArray(psi.addArray(), params.uniquenesses(c));
                    double[] l = params.loadings(c);
                    ArrayNode rows = lam.addArray();
                    for (int j = 0; j < d; j++) {
                        ArrayNode row = rows.addArray();
                        for (int t = 0; t < q; t++) {
                            row.add(l[j + t * d]);
                        }
                    }
                }
            }
        }
    }

    @Override
    public GaussianParams read(String structure, JsonNode root) {
        CovarianceType type = CovarianceType.parse(structure);
        int k = integer(root, "k");
        int d = integer(root, "dimension");
        if (k < 1 || d < 1) {
            throw new IllegalArgumentException("k and dimension must be at least 1, got " + k + " and " + d);
        }
        double[] weights = vector(require(root, "weights"), k, "weights");
        double[] means = new double[k * d];
        JsonNode meansNode = require(root, "means");
        checkLength(meansNode, k, "means");
        for (int c = 0; c < k; c++) {
            System.arraycopy(vector(meansNode.get(c), d, "means[" + c + "]"), 0, means, c * d, d);
        }
        if (type == CovarianceType.FACTOR) {
            return readFactor(root, k, d, weights, means);
        }
        double[] cov = new double[type.paramLength(k, d)];
        switch (type) {
            case FULL -> {
                JsonNode covs = require(root, "covariances");
                checkLength(covs, k, "covariances");
                for (int c = 0; c < k; c++) {
                    readMatrix(covs.get(c), d, "covariances[" + c + "]", cov, c * d * d);
                }
            }
            case TIED -> readMatrix(require(root, "covariance"), d, "covariance", cov, 0);
            case DIAG -> {
                JsonNode vars = require(root, "variances");
                checkLength(vars, k, "variances");
                for (int c = 0; c < k; c++) {
                    System.arraycopy(vector(vars.get(c), d, "variances[" + c + "]"), 0, cov, c * d, d);
                }
            }
            case SPHERICAL -> cov = vector(require(root, "variances"), k, "variances");
            case FACTOR -> throw new IllegalStateException("read above");
        }
        return new GaussianParams(type, k, d, weights, means, cov);
    }

    private static GaussianParams readFactor(JsonNode root, int k, int d, double[] weights, double[] means) {
        int q = integer(root, "factors");
        if (q < 1 || q >= d) {
            throw new IllegalArgumentException("factors must be between 1 and dimension - 1, got " + q);
        }
        JsonNode psi = require(root, "uniquenesses");
        JsonNode lam = require(root, "loadings");
        checkLength(psi, k, "uniquenesses");
        checkLength(lam, k, "loadings");
        double[] cov = new double[CovarianceType.FACTOR.paramLength(k, d, q)];
        for (int c = 0; c < k; c++) {
            int o = c * d * (q + 1);
            System.arraycopy(vector(psi.get(c), d, "uniquenesses[" + c + "]"), 0, cov, o, d);
            JsonNode rows = lam.get(c);
            checkLength(rows, d, "loadings[" + c + "]");
            for (int j = 0; j < d; j++) {
                double[] row = vector(rows.get(j), q, "loadings[" + c + "][" + j + "]");
                for (int t = 0; t < q; t++) {
                    cov[o + d + j + t * d] = row[t];
                }
            }
        }
        return new GaussianParams(CovarianceType.FACTOR, q, k, d, weights, means, cov);
    }

    /** A d x d column-major matrix as d rows. */
    private static void addMatrix(ArrayNode into, double[] m, int d) {
        for (int i = 0; i < d; i++) {
            ArrayNode row = into.addArray();
            for (int j = 0; j < d; j++) {
                row.add(m[i + j * d]);
            }
        }
    }

    /** d rows of d numbers into a column-major matrix at {@code off}. */
    private static void readMatrix(JsonNode rows, int d, String name, double[] out, int off) {
        checkLength(rows, d, name);
        for (int i = 0; i < d; i++) {
            double[] row = vector(rows.get(i), d, name + "[" + i + "]");
            for (int j = 0; j < d; j++) {
                out[off + i + j * d] = row[j];
            }
        }
    }
}
