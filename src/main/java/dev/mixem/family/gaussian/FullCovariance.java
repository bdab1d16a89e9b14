package dev.mixem.family.gaussian;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.gaussian.GaussianStats;

/** A full d x d covariance per component: k·d(d+1)/2 free parameters. */
public final class FullCovariance implements Covariance {
    static final FullCovariance INSTANCE = new FullCovariance();

    private FullCovariance() {
    }

    @Override
    public CovarianceType type() {
        return CovarianceType.FULL;
    }

    @Override
    public double[] mStep(GaussianStats s, int[] kept, double[] delta, double regCovar) {
        int d = s.d;
        double[] cov = new double[kept.length * d * d];
        for (int t = 0; t < kept.length; t++) {
            int c = kept[t];
            double nk = s.resp[c];
            int in = c * d * d;
            int out = t * d * d;
            for (int b = 0; b < d; b++) {
                for (int a = b; a < d; a++) {
                    double v = s.second[in + a + b * d] / nk - delta[t * d + a] * delta[t * d + b];
                    if (a == b) {
                        v += regCovar;
                    }
                    cov[out + a + b * d] = v;
                    cov[out + b + a * d] = v;
                }
            }
        }
        return cov;
    }

    @Override
    public double trace(GaussianStats s, double[] dev, GaussianScorer sc) {
        int d = s.d;
        double[] m = new double[d * d];
        double trace = 0;
        for (int c = 0; c < s.k; c++) {
            if (s.resp[c] == 0) {
                continue;
            }
            java.util.Arrays.fill(m, 0);
            Covariance.addShifted(s.second, c * d * d, s.first, c * d, s.resp[c], dev, c * d, d, m);
            trace += Covariance.traceOfSolve(sc.factors, c * d * d, d, m);
        }
        return trace;
    }

    @Override
    public void recentre(GaussianStats s, double[] delta, double[] out) {
        int d = s.d;
        for (int c = 0; c < s.k; c++) {
            double n = s.resp[c];
            for (int b = 0; b < d; b++) {
                for (int a = b; a < d; a++) {
                    int idx = c * d * d + a + b * d;
                    out[idx] = s.second[idx] + s.first[c * d + a] * delta[c * d + b]
                            + delta[c * d + a] * s.first[c * d + b] + n * delta[c * d + a] * delta[c * d + b];
                }
            }
        }
    }

    @Override
    public int gradientSize(int k, int d) {
        return k * d * (d + 1) / 2;
    }

    @Override
    public void toVector(GaussianParams p, double[] v, int o) {
        for (int c = 0; c < p.k(); c++) {
            o = Covariance.writeFactor(Covariance.precisionFactor(p.covariance(c), p.dim()), p.dim(), v, o);
        }
    }

    @Override
    public double[] fromVector(double[] v, int o, int k, int d) {
        double[] cov = new double[k * d * d];
        for (int c = 0; c < k; c++) {
            Covariance.readFactor(v, o, d, cov, c * d * d);
            o += d * (d + 1) / 2;
        }
        return cov;
    }

    @Override
    public void gradient(GaussianStats s, GaussianParams p, double[] g, int meansAt, int covAt) {
        int d = p.dim();
        int o = covAt;
        for (int c = 0; c < p.k(); c++) {
            double[] cov = p.covariance(c);
            double[] u = Covariance.precisionFactor(cov, d);
            Covariance.precisionTimes(u, s.first, c * d, s.weight, d, g, meansAt + c * d);
            o = Covariance.factorGradient(cov, u, s.resp[c], s.second, c * d * d, s.weight, d, g, o);
        }
    }
}
