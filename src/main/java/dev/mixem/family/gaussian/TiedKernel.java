package dev.mixem.family.gaussian;

import dev.ludovic.netlib.blas.BLAS;
import dev.mixem.family.ChunkKernel;
import dev.mixem.math.BlockKernels;
import dev.mixem.math.Linalg;
import dev.mixem.math.RowBlock;
import dev.mixem.math.SeparableGemm;

import java.util.Arrays;

/**
 * The complete-row kernel of tied covariance, which whitens each chunk once for all components:
 * y = L⁻¹(x - c) about the mixture's centre c, then ‖y - ν_k‖² against the whitened means ν_k = L⁻¹(μ_k - c)
 * (with the Vector API, for all components in one GEMM-shaped pass: {@link SeparableGemm}).
 * Its statistics are Σ r_k y per component and one pooled Σ w y yᵀ (one {@code syrk}, not k), since
 * Σ_k r_ik = 1; once per block they become the pooled
 * Σ_k Σ r (x - μ_k)(x - μ_k)ᵀ = L [Σ w y yᵀ - Σ_k (ν_k t_kᵀ + t_k ν_kᵀ - N_k ν_k ν_kᵀ)] Lᵀ and
 * Σ r (x - μ_k) = L (t_k - N_k ν_k). The subtraction loses digits only in proportion to the squared
 * separation of the components in units of their spread.
 */
final class TiedKernel implements ChunkKernel<GaussianStats> {
    private final GaussianScorer s;
    private final int k;
    private final int d;
    private final int chunkRows;
    private final BLAS blas = Linalg.blas();
    private final BlockKernels kernels;
    /** The whitened chunk, m x d column-major. */
    private double[] whitened;
    private double[] rootWeights;
    /** Whole-block log-densities: one chunk's log p(x, z=c). */
    private double[] chunkLogJoint;
    /** Per block: Σ w y yᵀ (lower, d x d), t = Σ r y (k x d, component c at c*d), N = Σ r (k). */
    private final double[] yy;
    private final double[] t;
    private final double[] nk;
    /** t_c - N_c ν_c of one component, on the way back to the original coordinates. */
    private final double[] shift;
    private final double[] square;
    /**
     * With the Vector API: the distances as {@link SeparableGemm} scores of the whitened chunk (coefficients
     * ν and -½, reference 0), which the whitened means' spread keeps exact (they are within a few units of
     * 0 in units of the shared spread, unless the components are thousands of spreads apart: then null and
     * the loops below).
     */
    private final SeparableGemm gemm;
    private final int kp;
    private final double[] coef;
    private final double[] origin;
    private double[] scores;
    private final boolean responsibilityTotals;

    TiedKernel(GaussianScorer s) {
        this(s, true, false);
    }

    /** {@code allowGemm} false: the distance loops whatever the JVM (for tests). */
    TiedKernel(GaussianScorer s, boolean allowGemm) {
        this(s, allowGemm, false);
    }

    /**
     * @param responsibilityTotals weight each row's pooled y yᵀ by Σ_c r_ic rather than by its row weight: a
     *                             scale mixture's responsibilities τ·u do not add up to the row weight
     */
    TiedKernel(GaussianScorer s, boolean allowGemm, boolean responsibilityTotals) {
        this.s = s;
        this.responsibilityTotals = responsibilityTotals;
        this.k = s.k;
        this.d = s.d;
        this.chunkRows = Math.max(16, Math.min(1024, (1 << 17) / (d + k + 1)));
        this.kernels = BlockKernels.forDimension(d);
        this.yy = new double[d * d];
        this.t = new double[k * d];
        this.nk = new double[k];
        this.shift = new double[d];
        this.square = new double[d * d];
        this.kp = SeparableGemm.padded(k);
        boolean near = true;
        for (int c = 0; c < k; c++) {
            near &= s.whiteMeanNorms[c] <= DiagGemmKernel.MAX_OFFSET_SQ;
        }
        if (allowGemm && BlockKernels.vectorApi() && near) {
            double[] half = new double[k * d];
            Arrays.fill(half, -0.5);
            this.gemm = new SeparableGemm();
            this.coef = SeparableGemm.pack(d, k, s.whiteMeans, half);
            this.origin = new double[d];
        } else {
            this.gemm = null;
            this.coef = null;
            this.origin = null;
        }
    }

    @Override
    public int chunkRows(int n) {
        return chunkRows;
    }

    private void ensure(int n) {
        int m = Math.min(n, chunkRows);
        if (whitened == null || whitened.length < m * d) {
            whitened = new double[m * d];
            rootWeights = new double[m];
            chunkLogJoint = new double[m * k];
            scores = new double[m * kp];
        }
    }

    @Override
    public void beginBlock(RowBlock b) {
        ensure(b.rows);
        Arrays.fill(yy, 0);
        Arrays.fill(t, 0);
        Arrays.fill(nk, 0);
    }

    /**
     * For rows [r0, r0 + m): the chunk whitened once about the centre into {@code whitened} (m x d) and
     * log p(x, z=c) = logConst_c - ½ ‖y - ν_c‖² into {@code out[c*m .. c*m + m)}.
     */
    @Override
    public void logJoint(RowBlock b, int r0, int m, double[] out) {
        double[] x = b.values;
        int n = b.rows;
        double[] y = whitened;
        for (int j = 0; j < d; j++) {
            int src = j * n + r0;
            int dst = j * m;
            double c0 = s.center[j];
            for (int i = 0; i < m; i++) {
                y[dst + i] = x[src + i] - c0;
            }
        }
        kernels.solveLowerTransposed(m, d, s.factors, 0, y, 0);
        if (gemm != null) {
            // -½‖y - ν_c‖² = -½‖ν_c‖² + y·ν_c - ½ Σ_j y_j²: one GEMM-shaped pass for all components.
            gemm.scores(y, m, d, 0, m, origin, coef, kp, scores);
            for (int c = 0; c < k; c++) {
                double lc = s.logConst[c] - 0.5 * s.whiteMeanNorms[c];
                int base = c * m;
                for (int i = 0; i < m; i++) {
                    out[base + i] = lc + scores[base + i];
                }
            }
            return;
        }
        for (int c = 0; c < k; c++) {
            int base = c * m;
            for (int i = 0; i < m; i++) {
                out[base + i] = 0;
            }
            for (int j = 0; j < d; j++) {
                int col = j * m;
                double nu = s.whiteMeans[c * d + j];
                for (int i = 0; i < m; i++) {
                    double z = y[col + i] - nu;
                    out[base + i] += z * z;
                }
            }
            double lc = s.logConst[c];
            for (int i = 0; i < m; i++) {
                out[base + i] = lc - 0.5 * out[base + i];
            }
        }
    }

    @Override
    public void blockLogJoint(RowBlock b, double[] out) {
        int n = b.rows;
        ensure(n);
        for (int r0 = 0; r0 < n; r0 += chunkRows) {
            int m = Math.min(chunkRows, n - r0);
            logJoint(b, r0, m, chunkLogJoint);
            for (int c = 0; c < k; c++) {
                System.arraycopy(chunkLogJoint, c * m, out, c * n + r0, m);
            }
        }
    }

    @Override
    public void accumulate(RowBlock b, int r0, int m, double[] resp, GaussianStats into) {
        // t_c += Yᵀ r_c and N_c += Σ r_c, for weighted responsibilities.
        for (int c = 0; c < k; c++) {
            int base = c * m;
            double n = 0;
            for (int i = 0; i < m; i++) {
                n += resp[base + i];
            }
            if (n == 0) {
                continue;
            }
            nk[c] += n;
            kernels.gemvTransposed(m, d, whitened, 0, resp, base, t, c * d);
        }
        // Σ w y yᵀ: Σ_c r_ic = 1, so one syrk serves every component.
        if (responsibilityTotals) {
            for (int i = 0; i < m; i++) {
                double total = 0;
                for (int c = 0; c < k; c++) {
                    total += resp[c * m + i];
                }
                rootWeights[i] = Math.sqrt(total);
            }
            for (int j = 0; j < d; j++) {
                int col = j * m;
                for (int i = 0; i < m; i++) {
                    whitened[col + i] *= rootWeights[i];
                }
            }
        } else if (b.weights != null) {
            for (int i = 0; i < m; i++) {
                rootWeights[i] = Math.sqrt(b.weights[r0 + i]);
            }
            for (int j = 0; j < d; j++) {
                int col = j * m;
                for (int i = 0; i < m; i++) {
                    whitened[col + i] *= rootWeights[i];
                }
            }
        }
        kernels.syrkLower(d, m, whitened, 0, yy, 0);
    }

    /**
     * The block's whitened statistics in the original coordinates, centred on each component's mean:
     * Σ r (x - μ_c) = L (t_c - N_c ν_c), and the pooled L [Σ w y yᵀ - Σ_c (ν t ᵀ + t νᵀ - N ν νᵀ)] Lᵀ.
     */
    @Override
    public void endBlock(GaussianStats into) {
        double[] nu = s.whiteMeans;
        double[] l = s.factors;
        double[] u = shift;
        for (int c = 0; c < k; c++) {
            double n = nk[c];
            if (n == 0) {
                continue;
            }
            into.resp[c] += n;
            for (int j = 0; j < d; j++) {
                u[j] = t[c * d + j] - n * nu[c * d + j];
            }
            for (int a = 0; a < d; a++) {
                double v = 0;
                for (int j = 0; j <= a; j++) {
                    v += l[a + j * d] * u[j];
                }
                into.first[c * d + a] += v;
            }
        }
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                double v = yy[i + j * d];
                for (int c = 0; c < k; c++) {
                    double nc = nk[c];
                    if (nc == 0) {
                        continue;
                    }
                    double ni = nu[c * d + i];
                    double nj = nu[c * d + j];
                    v -= ni * t[c * d + j] + t[c * d + i] * nj - nc * ni * nj;
                }
                square[i + j * d] = v;
                square[j + i * d] = v;
            }
        }
        blas.dtrmm("L", "L", "N", "N", d, d, 1.0, l, 0, d, square, 0, d);
        blas.dtrmm("R", "L", "T", "N", d, d, 1.0, l, 0, d, square, 0, d);
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                into.second[i + j * d] += square[i + j * d];
            }
        }
    }
}
