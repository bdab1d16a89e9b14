package dev.mixem.family.gaussian;

import dev.ludovic.netlib.blas.BLAS;
import dev.mixem.family.ChunkKernel;
import dev.mixem.math.BlockKernels;
import dev.mixem.math.Linalg;
import dev.mixem.math.RowBlock;
import dev.mixem.math.SeparableGemm;

import java.util.Arrays;

/**
 * Factor analyzers ({@link FactorKernel}'s arithmetic) with one centred block for all components, as
 * {@link DiagGemmKernel} does for diag: rows are centred once on r = Σ_c w_c μ_c (u = x - r, δ_c = μ_c - r), and
 * <pre>
 *   Σ_j (u_j - δ_cj)²/ψ_cj    by {@link SeparableGemm}'s scores, for all components in one pass
 *   W_cᵀ(u - δ_c)            = [U·(W_1 … W_K)]_c - W_cᵀδ_c, one GEMM of m x d by d x K·q
 *   Σ r (u - δ_c) E[z]ᵀ       = [Uᵀ·(R∘E[z])]_c - δ_c (Σ r E[z])ᵀ, one GEMM of d x m by m x K·q
 *   Σ r (u - δ_c), Σ r (u - δ_c)²   from SeparableGemm's moments, moved to μ_c as in diag
 * </pre>
 * so that each block is read into one centred copy once and the work per row is three GEMM-shaped products
 * over all components instead of 2·K passes. When every component is that close to the origin itself (data
 * such as pixels or proportions), the reference is 0 and the block is used as it is, without the copy. The expansion about r loses digits only for a component far from r
 * in its own units; {@link #applies} keeps every component within 1000 of its uniquenesses' standard
 * deviations of r (δ²/ψ ≤ 1e6, as diag), beyond which, and without the Vector API, the per-component
 * {@link FactorKernel} runs. One instance per task; not thread-safe.
 */
final class FactorGemmKernel implements ChunkKernel<GaussianStats> {
    private final GaussianScorer s;
    private final int k;
    private final int kp;
    private final int d;
    private final int q;
    private final int kq;
    private final int statsStride;
    private final BLAS blas = Linalg.blas();
    private final double[] ref;
    /** Whether the reference is the origin (the block's values serve as U without a copy). */
    private final boolean atOrigin;
    private final double[] delta;
    /** Per component: log const - ½ Σ_j δ²/ψ. */
    private final double[] constant;
    private final double[] coef;
    /** (W_1 … W_K), d x K·q. */
    private final double[] wAll;
    /** W_cᵀ δ_c, K·q. */
    private final double[] wDelta;
    private final SeparableGemm gemm = new SeparableGemm();
    private final double[] f;
    private final double[] sq;
    private double[] centred = new double[0];
    /** The chunk's rows as U: the block itself when the reference is the origin and the chunk is the block. */
    private double[] u;
    private double[] scores = new double[0];
    private double[] resp = new double[0];
    /** E[z | x], m x K·q (component c's q columns from c·q). */
    private double[] ez = new double[0];
    private double[] re = new double[0];
    private double[] cross = new double[0];
    private final double[] zs;
    private final double[] posterior;

    FactorGemmKernel(GaussianScorer s) {
        this.s = s;
        this.k = s.k;
        this.kp = SeparableGemm.padded(k);
        this.d = s.d;
        this.q = s.q;
        this.kq = k * q;
        this.statsStride = s.type.statsStride(d, q);
        this.ref = reference(s);
        this.atOrigin = java.util.Arrays.stream(ref).allMatch(v -> v == 0.0);
        this.delta = new double[k * d];
        this.constant = new double[k];
        double[] b = new double[k * d];
        double[] a = new double[k * d];
        this.wAll = new double[d * kq];
        this.wDelta = new double[kq];
        for (int c = 0; c < k; c++) {
            int fo = c * s.stride;
            double off = 0;
            for (int j = 0; j < d; j++) {
                int i = c * d + j;
                double prec = s.factors[fo + j];
                delta[i] = s.means[i] - ref[j];
                b[i] = delta[i] * prec;
                a[i] = -0.5 * prec;
                off += delta[i] * delta[i] * prec;
            }
            constant[c] = s.logConst[c] - 0.5 * off;
            System.arraycopy(s.factors, fo + d, wAll, c * q * d, d * q);
            for (int t = 0; t < q; t++) {
                double v = 0;
                for (int j = 0; j < d; j++) {
                    v += s.factors[fo + d + j + t * d] * delta[c * d + j];
                }
                wDelta[c * q + t] = v;
            }
        }
        this.coef = SeparableGemm.pack(d, k, b, a);
        this.f = new double[kp * d];
        this.sq = new double[kp * d];
        this.zs = new double[q];
        this.posterior = FactorKernel.posteriorCovariances(s);
    }

    /** Whether the expanded form serves this scorer: the Vector API is present and no component is far from r. */
    static boolean applies(GaussianScorer s) {
        return BlockKernels.vectorApi() && DiagGemmKernel.within(s, reference(s));
    }

    /** The origin when every component is within the bound of it, else r = Σ_c w_c μ_c. */
    private static double[] reference(GaussianScorer s) {
        double[] origin = new double[s.d];
        return DiagGemmKernel.within(s, origin) ? origin : DiagGemmKernel.reference(s);
    }

    @Override
    public int chunkRows(int n) {
        return n;
    }

    private void ensure(int m) {
        if (centred.length < m * d) {
            centred = new double[m * d];
        }
        if (scores.length < kp * m) {
            scores = new double[kp * m];
            resp = new double[kp * m];
        }
        if (ez.length < m * kq) {
            ez = new double[m * kq];
            re = new double[m * kq];
        }
        if (cross.length < d * kq) {
            cross = new double[d * kq];
        }
    }

    @Override
    public void logJoint(RowBlock b, int r0, int m, double[] logp) {
        ensure(m);
        int n = b.rows;
        double[] x = b.values;
        if (atOrigin && r0 == 0 && m == n) {
            u = x;
        } else {
            u = centred;
            for (int j = 0; j < d; j++) {
                double rj = ref[j];
                int from = j * n + r0;
                int to = j * m;
                for (int i = 0; i < m; i++) {
                    u[to + i] = x[from + i] - rj;
                }
            }
        }
        // -½ Σ_j (u_j - δ_cj)²/ψ_cj + ½ Σ_j δ_cj²/ψ_cj, all components at once.
        gemm.scores(x, n, d, r0, m, ref, coef, kp, scores);
        blas.dgemm("N", "N", m, kq, d, 1.0, u, 0, m, wAll, 0, d, 0.0, ez, 0, m);
        for (int c = 0; c < k; c++) {
            int lo = c * s.stride + d + d * q;
            int eo = c * q * m;
            for (int t = 0; t < q; t++) {
                double wd = wDelta[c * q + t];
                int col = eo + t * m;
                for (int i = 0; i < m; i++) {
                    ez[col + i] -= wd;
                }
            }
            blas.dtrsm("R", "L", "T", "N", m, q, 1.0, s.factors, lo, q, ez, eo, m);
            double lc = constant[c];
            int out = c * m;
            for (int i = 0; i < m; i++) {
                double v2 = 0;
                for (int t = 0; t < q; t++) {
                    double v = ez[eo + i + t * m];
                    v2 += v * v;
                }
                logp[out + i] = lc + scores[out + i] + 0.5 * v2;
            }
            blas.dtrsm("R", "L", "N", "N", m, q, 1.0, s.factors, lo, q, ez, eo, m);
        }
    }

    @Override
    public void accumulate(RowBlock b, int r0, int m, double[] weighted, GaussianStats into) {
        double[] r = weighted;
        if (kp > k) {
            r = resp;
            System.arraycopy(weighted, 0, r, 0, k * m);
            Arrays.fill(r, k * m, kp * m, 0.0);
        }
        Arrays.fill(f, 0.0);
        Arrays.fill(sq, 0.0);
        gemm.moments(b.values, b.rows, d, r0, m, ref, r, kp, f, sq);
        for (int c = 0; c < k; c++) {
            int ro = c * m;
            int eo = c * q * m;
            for (int t = 0; t < q; t++) {
                int col = eo + t * m;
                for (int i = 0; i < m; i++) {
                    re[col + i] = r[ro + i] * ez[col + i];
                }
            }
        }
        blas.dgemm("T", "N", d, kq, m, 1.0, u, 0, m, re, 0, m, 0.0, cross, 0, d);
        for (int c = 0; c < k; c++) {
            int ro = c * m;
            double nk = 0;
            for (int i = 0; i < m; i++) {
                nk += r[ro + i];
            }
            if (nk == 0) {
                continue;
            }
            into.resp[c] += nk;
            int so = c * statsStride;
            int zo = so + d + d * q;
            int eo = c * q * m;
            for (int t = 0; t < q; t++) {
                double v = 0;
                int col = eo + t * m;
                for (int i = 0; i < m; i++) {
                    v += re[col + i];
                }
                zs[t] = v;
                into.second[zo + t] += v;
            }
            for (int j = 0; j < d; j++) {
                int i = c * d + j;
                double dl = delta[i];
                into.first[i] += f[i] - dl * nk;
                into.second[so + j] += sq[i] - 2 * dl * f[i] + dl * dl * nk;
            }
            for (int t = 0; t < q; t++) {
                int co = (c * q + t) * d;
                int po = so + d + t * d;
                for (int j = 0; j < d; j++) {
                    into.second[po + j] += cross[co + j] - delta[c * d + j] * zs[t];
                }
            }
            blas.dgemm("T", "N", q, q, m, 1.0, ez, eo, m, re, eo, m, 1.0, into.second, zo + q, q);
            FactorKernel.addPosterior(posterior, c, q, nk, into.second, zo + q);
        }
    }

    @Override
    public void blockLogJoint(RowBlock b, double[] out) {
        logJoint(b, 0, b.rows, out);
    }
}
