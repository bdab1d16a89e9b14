package dev.mixem.family.studentt;

import dev.mixem.family.ChunkKernel;
import dev.mixem.family.EStep;
import dev.mixem.family.gaussian.ScaleMixtureKernel;
import dev.mixem.math.RowBlock;

/**
 * The Student-t E-step on a chunk, around a Gaussian kernel of the same structure: the Gaussian kernel scores
 * the chunk, each row's Mahalanobis distance δ = 2 (const - log N) turns its Gaussian log-density into the t's
 * and gives its expected scale u = (ν + d_o)/(ν + δ); the Gaussian kernel then gathers its statistics for the
 * responsibilities τ·u (with the missing cells' conditional covariances weighted by τ), and this kernel adds
 * Σ τ and Σ τ (E[log u] - E[u]). One instance per task; not thread-safe.
 */
final class StudentTKernel implements ChunkKernel<StudentTStats> {
    private final StudentTScorer s;
    private final ScaleMixtureKernel inner;
    private final int k;
    private final int d;
    /** The chunk's u and log u - u + correction, [c*m + i]. */
    private double[] u = new double[0];
    private double[] logTerm = new double[0];
    private double[] scaled = new double[0];

    StudentTKernel(StudentTScorer s, ScaleMixtureKernel inner) {
        this.s = s;
        this.inner = inner;
        this.k = s.k;
        this.d = s.d;
    }

    @Override
    public int chunkRows(int n) {
        return inner.chunkRows(n);
    }

    @Override
    public void beginBlock(RowBlock b) {
        inner.beginBlock(b);
    }

    @Override
    public double[] rowWeights(RowBlock b) {
        return inner.rowWeights(b);
    }

    @Override
    public int sourceRow(int i) {
        return inner.sourceRow(i);
    }

    @Override
    public void logJoint(RowBlock b, int r0, int m, double[] logp) {
        inner.logJoint(b, r0, m, logp);
        if (u.length < k * m) {
            u = new double[k * m];
            logTerm = new double[k * m];
            scaled = new double[k * m];
        }
        for (int c = 0; c < k; c++) {
            int base = c * m;
            if (s.gaussianComponent[c]) {
                java.util.Arrays.fill(u, base, base + m, 1.0);
                java.util.Arrays.fill(logTerm, base, base + m, -1.0);
                continue;
            }
            double nu = s.dof[c];
            int table = c * (d + 1);
            for (int i = 0; i < m; i++) {
                int pos = r0 + i;
                int o = inner.observed(pos);
                double lc = inner.logConst(pos, c);
                double logN = logp[base + i];
                double delta = Math.max(0.0, 2 * (lc - logN));
                double ui = (nu + o) / (nu + delta);
                u[base + i] = ui;
                logTerm[base + i] = Math.log(ui) - ui + s.logCorrection[table + o];
                logp[base + i] = lc + s.tConst[table + o] - 0.5 * (nu + o) * Math.log1p(delta / nu);
            }
        }
    }

    @Override
    public void accumulate(RowBlock b, int r0, int m, double[] resp, StudentTStats into) {
        for (int c = 0; c < k; c++) {
            int base = c * m;
            double tau = 0;
            double term = 0;
            for (int i = 0; i < m; i++) {
                double r = resp[base + i];
                tau += r;
                term += r * logTerm[base + i];
                double v = r * u[base + i];
                scaled[base + i] = v < EStep.FLOOR ? 0.0 : v;
            }
            into.tau[c] += tau;
            into.nuTerm[c] += term;
        }
        inner.conditionalWeights(resp);
        try {
            inner.accumulate(b, r0, m, scaled, into.gaussian);
        } finally {
            inner.conditionalWeights(null);
        }
    }

    @Override
    public void endBlock(StudentTStats into) {
        inner.endBlock(into.gaussian);
    }

    @Override
    public void blockLogJoint(RowBlock b, double[] out) {
        inner.blockLogJoint(b, out);
        int n = b.rows;
        for (int c = 0; c < k; c++) {
            int base = c * n;
            for (int i = 0; i < n; i++) {
                out[base + i] = s.logJoint(c, out[base + i], inner.logConstInput(i, c), inner.observedInput(i));
            }
        }
    }
}
