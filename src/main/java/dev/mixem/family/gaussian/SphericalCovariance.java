package dev.mixem.family.gaussian;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.gaussian.GaussianStats;

/**
 * One variance per component, σ_k² I: k free parameters. Statistics and kernels are diag's (the scorer
 * repeats the precision over the features); the M-step averages diag's variances over the features, as
 * scikit-learn does.
 */
public final class SphericalCovariance implements Covariance {
    static final SphericalCovariance INSTANCE = new SphericalCovariance();

    private SphericalCovariance() {
    }

    @Override
    public CovarianceType type() {
        return CovarianceType.SPHERICAL;
    }

    @Override
    public double[] mStep(GaussianStats s, int[] kept, double[] delta, double regCovar) {
        int d = s.d;
        double[] cov = new double[kept.length];
        for (int t = 0; t < kept.length; t++) {
            int c = kept[t];
            double nk = s.resp[c];
            double sum = 0;
            for (int a = 0; a < d; a++) {
                sum += s.second[c * d + a] / nk - delta[t * d + a] * delta[t * d + a];
            }
            cov[t] = sum / d + regCovar;
        }
        return cov;
    }

    @Override
    public double trace(GaussianStats s, double[] dev, GaussianScorer sc) {
        return DiagCovariance.featureTrace(s, dev, sc);
    }

    @Override
    public void recentre(GaussianStats s, double[] delta, double[] out) {
        DiagCovariance.featureRecentre(s, delta, out);
    }

    @Override
    public int gradientSize(int k, int d) {
        return k;
    }

    @Override
    public void toVector(GaussianParams p, double[] v, int o) {
        DiagCovariance.logVariances(p, v, o);
    }

    @Override
    public double[] fromVector(double[] v, int o, int k, int d) {
        return DiagCovariance.expVariances(v, o, k);
    }

    @Override
    public void gradient(GaussianStats s, GaussianParams p, double[] g, int meansAt, int covAt) {
        int d = p.dim();
        double w = s.weight;
        double[] cov = p.covariances();
        for (int c = 0; c < p.k(); c++) {
            double sum = 0;
            for (int a = 0; a < d; a++) {
                int i = c * d + a;
                g[meansAt + i] = s.first[i] / cov[c] / w;
                sum += s.second[i] / cov[c];
            }
            // ∂/∂log σ²_k = ½ (Σ_j S_jj/σ²_k - d N_k)/W.
            g[covAt + c] = 0.5 * (sum - d * s.resp[c]) / w;
        }
    }
}
