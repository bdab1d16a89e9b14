package dev.mixem.family.independent;

import dev.mixem.family.ChunkKernel;
import dev.mixem.family.Imputer;
import dev.mixem.family.MixtureScorer;
import dev.mixem.math.BinaryBits;
import dev.mixem.math.BinaryGemm;
import dev.mixem.math.BlockKernels;
import dev.mixem.math.LinearGemm;
import dev.mixem.math.Linalg;
import dev.mixem.math.RowBlock;

/**
 * The broadcast form of a mixture of independent features: natural parameters η (d x k, column-major, so
 * component c's column is {@code eta[c*d .. c*d + d)}), log-partitions a, and per component the constant
 * log w_c − Σ_j a_cj.
 * <p>
 * Complete blocks: log p(x_i, c) = (X η)_ic + const_c + h(x_i), one GEMM per chunk; the statistics
 * Σ r x = Xᵀ R, one more. Blocks with missing cells: the same sums over each row's observed cells only, by
 * loops (O(rows·d·k), the same order as the GEMMs).
 */
public final class IndependentScorer implements MixtureScorer<IndependentStats> {
    private static final long serialVersionUID = 1L;
    /** Rows per chunk: the chunk's rows, its log-densities and the GEMM's panels stay in cache. */
    static final int CHUNK_ROWS = 2048;
    /** Sparse blocks: rows per chunk. */
    static final int SPARSE_CHUNK_ROWS = 256;

    final Link link;
    final int k;
    final int d;
    final double[] eta;
    final double[] a;
    final double[] constant;
    final double[] logWeights;
    final double[] means;
    /** Categorical: the variables and levels (null otherwise). */
    final Categories categories;

    IndependentScorer(IndependentParams p) {
        this.categories = p.categories();
        this.link = p.link();
        this.k = p.k();
        this.d = p.dim();
        this.eta = new double[k * d];
        this.a = new double[k * d];
        this.constant = new double[k];
        this.logWeights = new double[k];
        this.means = p.means();
        for (int c = 0; c < k; c++) {
            logWeights[c] = Math.log(p.weight(c));
            double sum = 0;
            for (int j = 0; j < d; j++) {
                double mu = p.meanAt(c, j);
                eta[c * d + j] = link.eta(mu);
                a[c * d + j] = link.a(mu);
                sum += a[c * d + j];
            }
            constant[c] = logWeights[c] - sum;
        }
    }

    @Override
    public int k() {
        return k;
    }

    @Override
    public int dim() {
        return d;
    }

    @Override
    public IndependentStats emptyStats() {
        return new IndependentStats(k, d);
    }

    @Override
    public ChunkKernel<IndependentStats> completeKernel() {
        return new Complete();
    }

    @Override
    public ChunkKernel<IndependentStats> missingKernel() {
        return new Missing();
    }

    /**
     * Sparse blocks: log p(x, c) = const_c + Σ_nz (x η_cj + h(x)), since a zero cell adds 0·η and h(0) = 0 (the
     * all-zero row scores const_c = log w_c − Σ_j a_cj); the statistics Σ r x gather per non-zero.
     */
    @Override
    public ChunkKernel<IndependentStats> sparseKernel() {
        if (categories != null) {
            throw new UnsupportedOperationException("categorical variables are columns, never sparse vectors");
        }
        return new Sparse();
    }

    /** E[x_j | x_obs] = Σ_c r_c μ_cj for a missing cell. */
    @Override
    public Imputer imputer() {
        return (block, resp, out) -> {
            RowBlock b = wholeVariables(block);
            int n = b.rows;
            for (int j = 0; j < d; j++) {
                for (int i = 0; i < n; i++) {
                    double x = b.values[i + j * n];
                    if (x == x) {
                        out[i + j * n] = x;
                    } else {
                        double s = 0;
                        for (int c = 0; c < k; c++) {
                            s += resp[i + c * n] * means[c * d + j];
                        }
                        out[i + j * n] = s;
                    }
                }
            }
        };
    }

    /** Σ_j h(x_ij) of every row of the block into {@code base} (observed cells only; base starts at 0). */
    private void base(RowBlock b, double[] base) {
        int n = b.rows;
        for (int j = 0; j < d; j++) {
            int col = j * n;
            for (int i = 0; i < n; i++) {
                double x = b.values[col + i];
                if (x == x && x != 0) {
                    base[i] += link.logBase(x);
                }
            }
        }
    }

    /** Σ_i w_i r_ic of a chunk's m rows into the statistics. */
    void addResponsibilities(double[] resp, int m, IndependentStats into) {
        for (int c = 0; c < k; c++) {
            double s = 0;
            int o = c * m;
            for (int i = 0; i < m; i++) {
                s += resp[o + i];
            }
            into.resp[c] += s;
        }
    }

    /** What both kernels share: the chunking, the rows' Σ_j h(x_ij) and scoring a whole block. */
    private abstract class Kernel implements ChunkKernel<IndependentStats> {
        /** The key of Σ_j h(x_ij) among a block's kept row constants (built once, not per chunk). */
        private final String baseKey = link.name() + " base";

        @Override
        public int chunkRows(int n) {
            return CHUNK_ROWS;
        }

        /**
         * Σ_j h(x_ij) of the whole block (row r0 of the chunk at index r0), or null for the families whose h is 0
         * (Bernoulli, categorical). It depends on the data alone, so it is computed on the block's first pass and
         * kept with the cached block (Poisson's log x! per cell cost 0.2-0.3 s of every 0.6-0.8 s pass over 1e6 x
         * 100 counts).
         */
        double[] rowBase(RowBlock b) {
            return link.hasBase() ? b.rowConstants(baseKey, v -> base(b, v)) : null;
        }

        @Override
        public void blockLogJoint(RowBlock b, double[] out) {
            logJoint(b, 0, b.rows, out);
        }
    }

    /**
     * Complete blocks: two GEMMs per chunk, by {@link LinearGemm} when the JVM has the Vector API (faster than
     * single-threaded OpenBLAS on these thin shapes, and the same bits whatever BLAS the machine has), else by
     * the BLAS. A block whose every cell is 0 or 1 (Bernoulli data, categorical level indicators, counts that
     * happen to be 0/1) takes {@link BinaryGemm} instead with the Vector API: table look-ups of four cells at a
     * time, read from the block's bits, which are kept with the cached block.
     */
    private final class Complete extends Kernel {
        private final LinearGemm gemm = BlockKernels.vectorApi() ? new LinearGemm() : null;
        private final double[] packed = gemm == null ? null : LinearGemm.pack(d, k, eta);
        private final BinaryGemm binary = gemm == null || !BinaryGemm.fits(d, k) ? null : new BinaryGemm();
        private final double[] packedBinary = binary == null ? null : BinaryGemm.pack(d, k, eta);
        private final dev.ludovic.netlib.blas.BLAS blas = Linalg.blas();

        @Override
        public void logJoint(RowBlock b, int r0, int m, double[] logp) {
            if (gemm != null) {
                // The constants start the chains; only the families with h(x) ≠ 0 (Poisson) need a second pass.
                BinaryBits bits = binary == null ? null : b.binaryBits();
                if (bits != null) {
                    binary.scores(bits, r0, m, packedBinary, k, constant, logp);
                } else {
                    gemm.scores(b.values, b.rows, d, r0, m, packed, k, constant, logp);
                }
                double[] base = rowBase(b);
                if (base != null) {
                    for (int c = 0; c < k; c++) {
                        int o = c * m;
                        for (int i = 0; i < m; i++) {
                            logp[o + i] += base[r0 + i];
                        }
                    }
                }
                return;
            }
            double[] base = rowBase(b);
            blas.dgemm("N", "N", m, k, d, 1.0, b.values, r0, b.rows, eta, 0, d, 0.0, logp, 0, m);
            for (int c = 0; c < k; c++) {
                double cc = constant[c];
                int o = c * m;
                for (int i = 0; i < m; i++) {
                    logp[o + i] += cc + (base == null ? 0.0 : base[r0 + i]);
                }
            }
        }

        @Override
        public void accumulate(RowBlock b, int r0, int m, double[] resp, IndependentStats into) {
            addResponsibilities(resp, m, into);
            if (gemm != null) {
                BinaryBits bits = binary == null ? null : b.binaryBits();
                if (bits != null) {
                    binary.moments(bits, r0, m, resp, k, into.sumX);
                } else {
                    gemm.moments(b.values, b.rows, d, r0, m, resp, k, into.sumX);
                }
            } else {
                blas.dgemm("T", "N", d, k, m, 1.0, b.values, r0, b.rows, resp, 0, m, 1.0, into.sumX, 0, d);
            }
        }
    }

    /**
     * Sparse blocks, O(non-zeros · k): η feature-major (η_T[j*k + c]) so that a non-zero reads k adjacent
     * values, and Σ r x gathered feature-major per block, then moved into the statistics for the features the
     * block touched.
     */
    private final class Sparse implements ChunkKernel<IndependentStats> {
        private final double[] etaT = new double[k * d];
        private final double[] sumT = new double[k * d];
        private final boolean[] touched = new boolean[d];
        private int[] touchedList = new int[64];
        private int touchedCount;
        private final double[] acc = new double[k];

        Sparse() {
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) {
                    etaT[j * k + c] = eta[c * d + j];
                }
            }
        }

        @Override
        public int chunkRows(int n) {
            return SPARSE_CHUNK_ROWS;
        }

        @Override
        public void logJoint(RowBlock b, int r0, int m, double[] logp) {
            boolean base = link.hasBase();
            for (int i = 0; i < m; i++) {
                int row = r0 + i;
                System.arraycopy(constant, 0, acc, 0, k);
                double h = 0;
                for (int t = b.rowStart[row]; t < b.rowStart[row + 1]; t++) {
                    double x = b.nonZeros[t];
                    int o = b.cols[t] * k;
                    for (int c = 0; c < k; c++) {
                        acc[c] += x * etaT[o + c];
                    }
                    if (base) {
                        h += link.logBase(x);
                    }
                }
                for (int c = 0; c < k; c++) {
                    logp[c * m + i] = acc[c] + h;
                }
            }
        }

        @Override
        public void accumulate(RowBlock b, int r0, int m, double[] resp, IndependentStats into) {
            addResponsibilities(resp, m, into);
            for (int i = 0; i < m; i++) {
                int row = r0 + i;
                for (int c = 0; c < k; c++) {
                    acc[c] = resp[c * m + i];
                }
                for (int t = b.rowStart[row]; t < b.rowStart[row + 1]; t++) {
                    double x = b.nonZeros[t];
                    int j = b.cols[t];
                    if (!touched[j]) {
                        touched[j] = true;
                        if (touchedCount == touchedList.length) {
                            touchedList = java.util.Arrays.copyOf(touchedList, 2 * touchedCount);
                        }
                        touchedList[touchedCount++] = j;
                    }
                    int o = j * k;
                    for (int c = 0; c < k; c++) {
                        sumT[o + c] += acc[c] * x;
                    }
                }
            }
        }

        @Override
        public void endBlock(IndependentStats into) {
            for (int e = 0; e < touchedCount; e++) {
                int j = touchedList[e];
                int o = j * k;
                for (int c = 0; c < k; c++) {
                    into.sumX[c * d + j] += sumT[o + c];
                    sumT[o + c] = 0;
                }
                touched[j] = false;
            }
            touchedCount = 0;
        }

        @Override
        public void blockLogJoint(RowBlock b, double[] out) {
            logJoint(b, 0, b.rows, out);
        }
    }

    /**
     * Categorical: the block with every variable that has a missing indicator missing as a whole (the block
     * itself when there is none), so that a variable is observed or missing, never in part.
     */
    RowBlock wholeVariables(RowBlock b) {
        if (categories == null) {
            return b;
        }
        int n = b.rows;
        double[] v = null;
        for (int g = 0; g < categories.variableCount(); g++) {
            int o = categories.offset(g);
            int size = categories.size(g);
            for (int i = 0; i < n; i++) {
                boolean any = false;
                boolean all = true;
                for (int l = 0; l < size; l++) {
                    boolean nan = Double.isNaN(b.values[i + (o + l) * n]);
                    any |= nan;
                    all &= nan;
                }
                if (any && !all) {
                    if (v == null) {
                        v = b.values.clone();
                    }
                    for (int l = 0; l < size; l++) {
                        v[i + (o + l) * n] = Double.NaN;
                    }
                }
            }
        }
        return v == null ? b : new RowBlock(n, b.dim, b.firstRow, v, b.weights, b.skipped);
    }

    /** Blocks with missing cells: each row scored and counted on its observed cells. */
    private final class Missing extends Kernel {
        private RowBlock from;
        private RowBlock cells;

        /** The block as scored: {@link #wholeVariables}, once per block. */
        private RowBlock cells(RowBlock b) {
            if (b != from) {
                from = b;
                cells = wholeVariables(b);
            }
            return cells;
        }

        @Override
        public void logJoint(RowBlock block, int r0, int m, double[] logp) {
            RowBlock b = cells(block);
            double[] base = rowBase(b);
            int n = b.rows;
            for (int c = 0; c < k; c++) {
                int o = c * m;
                for (int i = 0; i < m; i++) {
                    logp[o + i] = logWeights[c] + (base == null ? 0.0 : base[r0 + i]);
                }
            }
            for (int j = 0; j < d; j++) {
                int col = j * n + r0;
                for (int i = 0; i < m; i++) {
                    double x = b.values[col + i];
                    if (x == x) {
                        for (int c = 0; c < k; c++) {
                            logp[c * m + i] += x * eta[c * d + j] - a[c * d + j];
                        }
                    }
                }
            }
        }

        @Override
        public void accumulate(RowBlock block, int r0, int m, double[] resp, IndependentStats into) {
            RowBlock b = cells(block);
            int n = b.rows;
            addResponsibilities(resp, m, into);
            for (int j = 0; j < d; j++) {
                int col = j * n + r0;
                for (int i = 0; i < m; i++) {
                    double x = b.values[col + i];
                    if (x == x) {
                        if (x != 0) {
                            for (int c = 0; c < k; c++) {
                                into.sumX[c * d + j] += resp[c * m + i] * x;
                            }
                        }
                    } else {
                        for (int c = 0; c < k; c++) {
                            into.missingResp[c * d + j] += resp[c * m + i];
                        }
                    }
                }
            }
        }
    }
}
