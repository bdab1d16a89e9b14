package dev.mixem.family.gaussian;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.gaussian.GaussianStats;

/** A diagonal covariance per component, its d variances: k·d free parameters. */
public final class DiagCovariance implements Covariance {
    static final DiagCovariance INSTANCE = new DiagCovariance();

    private DiagCovariance() {
    }

    @Override
    public CovarianceType type() {
        return CovarianceType.DIAG;
    }

    @Override
    public double[] mStep(GaussianStats s, int[] kept, double[] delta, double regCovar) {
        int d = s.d;
        double[] cov = new double[kept.length * d];
        for (int t = 0; t < kept.length; t++) {
            int c = kept[t];
            double nk = s.resp[c];
            for (int a = 0; a < d; a++) {
                cov[t * d + a] = s.second[c * d + a] / nk - delta[t * d + a] * delta[t * d + a] + regCovar;
            }
        }
        return cov;
    }

    /** Per-feature trace, shared with spherical (whose scorer repeats its precision over the features). */
    static double featureTrace(GaussianStats s, double[] dev, GaussianScorer sc) {
        int d = s.d;
        double trace = 0;
        for (int c = 0; c < s.k; c++) {
            if (s.resp[c] == 0) {
                continue;
            }
            double nk = s.resp[c];
            for (int a = 0; a < d; a++) {
                int i = c * d + a;
                double v = s.second[i] - 2 * s.first[i] * dev[i] + nk * dev[i] * dev[i];
                trace += v * sc.factors[i];
            }
        }
        return trace;
    }

    static void featureRecentre(GaussianStats s, double[] delta, double[] out) {
        int d = s.d;
        for (int c = 0; c < s.k; c++) {
            double n = s.resp[c];
            for (int a = 0; a < d; a++) {
                int idx = c * d + a;
                out[idx] = s.second[idx] + 2 * s.first[idx] * delta[idx] + n * delta[idx] * delta[idx];
            }
        }
    }

    @Override
    public double trace(GaussianStats s, double[] dev, GaussianScorer sc) {
        return featureTrace(s, dev, sc);
    }

    @Override
    public void recentre(GaussianStats s, double[] delta, double[] out) {
        featureRecentre(s, delta, out);
    }

    @Override
    public int gradientSize(int k, int d) {
        return k * d;
    }

    /** The logarithms of the compact variances (diag's and spherical's coordinates) at v[o ..). */
    static void logVariances(GaussianParams p, double[] v, int o) {
        for (double var : p.covariances()) {
            v[o++] = Math.log(var);
        }
    }

    /** {@code len} variances from their logarithms at v[o ..). */
    static double[] expVariances(double[] v, int o, int len) {
        double[] cov = new double[len];
        for (int i = 0; i < len; i++) {
            cov[i] = Math.exp(v[o + i]);
        }
        return cov;
    }

    @Override
    public void toVector(GaussianParams p, double[] v, int o) {
        logVariances(p, v, o);
    }

    @Override
    public double[] fromVector(double[] v, int o, int k, int d) {
        return expVariances(v, o, k * d);
    }

    @Override
    public void gradient(GaussianStats s, GaussianParams p, double[] g, int meansAt, int covAt) {
        int d = p.dim();
        double w = s.weight;
        double[] cov = p.covariances();
        for (int c = 0; c < p.k(); c++) {
            for (int a = 0; a < d; a++) {
                int i = c * d + a;
                g[meansAt + i] = s.first[i] / cov[i] / w;
                // ∂/∂log σ²_j = ½ (S_jj/σ²_j - N_k)/W.
                g[covAt + i] = 0.5 * (s.second[i] / cov[i] - s.resp[c]) / w;
            }
        }
    }
}
