package dev.mixem.family.gaussian;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.gaussian.GaussianStats;

/**
 * One full d x d covariance shared by all components: d(d+1)/2 free parameters. Its statistics pool the
 * components' second moments (each centred on its own reference mean), so they are d·d doubles whatever k.
 */
public final class TiedCovariance implements Covariance {
    static final TiedCovariance INSTANCE = new TiedCovariance();

    private TiedCovariance() {
    }

    @Override
    public CovarianceType type() {
        return CovarianceType.TIED;
    }

    @Override
    public double[] mStep(GaussianStats s, int[] kept, double[] delta, double regCovar) {
        int d = s.d;
        double total = 0;
        for (int c : kept) {
            total += s.resp[c];
        }
        double[] cov = new double[d * d];
        for (int b = 0; b < d; b++) {
            for (int a = b; a < d; a++) {
                double v = s.second[a + b * d];
                for (int t = 0; t < kept.length; t++) {
                    v -= s.resp[kept[t]] * delta[t * d + a] * delta[t * d + b];
                }
                v /= total;
                if (a == b) {
                    v += regCovar;
                }
                cov[a + b * d] = v;
                cov[b + a * d] = v;
            }
        }
        return cov;
    }

    @Override
    public double trace(GaussianStats s, double[] dev, GaussianScorer sc) {
        int d = s.d;
        double[] m = new double[d * d];
        // Σ_k S_k(μ_k) = S_pooled - Σ_k (f_k δ_kᵀ + δ_k f_kᵀ - N_k δ_k δ_kᵀ), as a full symmetric matrix.
        for (int b = 0; b < d; b++) {
            for (int a = b; a < d; a++) {
                double v = s.second[a + b * d];
                for (int c = 0; c < s.k; c++) {
                    int o = c * d;
                    v -= s.first[o + a] * dev[o + b] + dev[o + a] * s.first[o + b] - s.resp[c] * dev[o + a] * dev[o + b];
                }
                m[a + b * d] = v;
                m[b + a * d] = v;
            }
        }
        return Covariance.traceOfSolve(sc.factors, 0, d, m);
    }

    @Override
    public void recentre(GaussianStats s, double[] delta, double[] out) {
        int d = s.d;
        for (int c = 0; c < s.k; c++) {
            double n = s.resp[c];
            for (int b = 0; b < d; b++) {
                for (int a = b; a < d; a++) {
                    out[a + b * d] += s.first[c * d + a] * delta[c * d + b] + delta[c * d + a] * s.first[c * d + b]
                            + n * delta[c * d + a] * delta[c * d + b];
                }
            }
        }
    }

    @Override
    public int gradientSize(int k, int d) {
        return d * (d + 1) / 2;
    }

    @Override
    public void toVector(GaussianParams p, double[] v, int o) {
        Covariance.writeFactor(Covariance.precisionFactor(p.covariance(0), p.dim()), p.dim(), v, o);
    }

    @Override
    public double[] fromVector(double[] v, int o, int k, int d) {
        double[] cov = new double[d * d];
        Covariance.readFactor(v, o, d, cov, 0);
        return cov;
    }

    @Override
    public void gradient(GaussianStats s, GaussianParams p, double[] g, int meansAt, int covAt) {
        int d = p.dim();
        double[] cov = p.covariance(0);
        double[] u = Covariance.precisionFactor(cov, d);
        double n = 0;
        for (int c = 0; c < p.k(); c++) {
            Covariance.precisionTimes(u, s.first, c * d, s.weight, d, g, meansAt + c * d);
            n += s.resp[c];
        }
        // The shared precision's gradient is the sum of the components': G = ½(Σ_k N_k Σ - Σ_k S_k)/W.
        Covariance.factorGradient(cov, u, n, s.second, 0, s.weight, d, g, covAt);
    }
}
