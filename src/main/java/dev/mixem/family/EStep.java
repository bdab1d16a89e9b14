package dev.mixem.family;

import dev.mixem.math.BlockKernels;
import dev.mixem.math.LogSumExp;
import dev.mixem.math.RowBlock;
import dev.mixem.stats.MixtureStats;

import java.util.Arrays;

/**
 * The E-step of any mixture family on blocks of rows. It owns what every family shares: the split of a block
 * into chunks, the per-row log-sum-exp that turns log p(x, z=c) into responsibilities and log p(x), the row
 * weights, the log-likelihood and the check that every row's likelihood is finite. The family's
 * {@link ChunkKernel} computes the log-densities of a chunk and adds the chunk's statistics, once per chunk,
 * so its call sites stay monomorphic in a task and its loops run down columns of rows.
 * <p>
 * Blocks without missing cells go to the scorer's complete kernel, blocks with missing cells to its
 * missing-cell kernel. One instance per task, bound to one broadcast scorer; it allocates nothing per row or
 * per block once warmed up. Not thread-safe.
 */
public final class EStep<S extends MixtureStats<S>> {
    /**
     * Responsibilities below this are set to 0 before the statistics are gathered (the log-likelihood and
     * {@link #posterior} keep them). Such a responsibility changes no statistic of a component that survives
     * the collapse rule (its share of any sum is below 1e-180 relative, far under a double's 1e-16). Kept, it
     * and its products with the data fall into the subnormal doubles, which the CPU handles by microcode:
     * with 1% of responsibilities there, the statistics' products ran 4 times slower (30 times at 10%), in a
     * harness at 784 features.
     */
    public static final double FLOOR = 1e-200;
    private final MixtureScorer<S> scorer;
    private final int k;
    private final int d;
    private final BlockKernels kernels;
    private ChunkKernel<S> complete;
    private ChunkKernel<S> missing;
    private ChunkKernel<S> sparse;
    private int capacity;
    private double[] logp;
    private double[] rowLse;
    private double[] scratch;
    private double[] shift;

    public EStep(MixtureScorer<S> scorer) {
        this.scorer = scorer;
        this.k = scorer.k();
        this.d = scorer.dim();
        this.kernels = BlockKernels.forDimension(d);
    }

    public MixtureScorer<S> scorer() {
        return scorer;
    }

    /** The kernel for this block: the missing-cell kernel when it has missing cells. */
    private ChunkKernel<S> kernel(RowBlock b) {
        if (b.isSparse()) {
            if (sparse == null) {
                sparse = scorer.sparseKernel();
            }
            return sparse;
        }
        if (b.missing > 0) {
            if (missing == null) {
                missing = scorer.missingKernel();
            }
            return missing;
        }
        if (complete == null) {
            complete = scorer.completeKernel();
        }
        return complete;
    }

    private void ensure(int rows) {
        if (rows > capacity) {
            capacity = rows;
            logp = new double[rows * k];
            rowLse = new double[rows];
            scratch = new double[rows];
            shift = new double[rows];
        }
    }

    /** One E-step over a block: responsibilities under the scorer, then the family's statistics. */
    public void accumulate(RowBlock b, S into) {
        checkShape(b);
        int n = b.rows;
        if (n == 0) {
            return;
        }
        ChunkKernel<S> kernel = kernel(b);
        int chunk = Math.min(n, kernel.chunkRows(n));
        ensure(chunk);
        kernel.beginBlock(b);
        double[] w = kernel.rowWeights(b);
        for (int r0 = 0; r0 < n; r0 += chunk) {
            int m = Math.min(chunk, n - r0);
            kernel.logJoint(b, r0, m, logp);
            kernels.normalizeRows(logp, m, k, rowLse, scratch, shift, FLOOR);
            double ll = 0;
            double total = 0;
            for (int i = 0; i < m; i++) {
                if (!Double.isFinite(rowLse[i])) {
                    throw notFinite(b, kernel.sourceRow(r0 + i), rowLse[i]);
                }
                double wi = w == null ? 1.0 : w[r0 + i];
                ll += wi * rowLse[i];
                total += wi;
            }
            into.logLikelihood += ll;
            into.weight += total;
            if (w != null) {
                for (int c = 0; c < k; c++) {
                    int base = c * m;
                    for (int i = 0; i < m; i++) {
                        logp[base + i] *= w[r0 + i];
                    }
                }
            }
            kernel.accumulate(b, r0, m, logp, into);
        }
        kernel.endBlock(into);
        into.rows += n;
    }

    /**
     * Writes log p(x_i, z=c) for every row i and component c of the block to {@code out[i + c*n]}
     * (column-major n x k).
     */
    public void logJoint(RowBlock b, double[] out) {
        checkShape(b);
        if (b.rows > 0) {
            kernel(b).blockLogJoint(b, out);
        }
    }

    /**
     * Posterior probabilities of the components for each row of the block, {@code resp[i + c*n]}, and the
     * per-row log-likelihood log p(x_i) in {@code rowLogLik[i]} (unweighted).
     */
    public void posterior(RowBlock b, double[] resp, double[] rowLogLik) {
        int n = b.rows;
        ensure(n);
        logJoint(b, resp);
        LogSumExp.normalizeRows(resp, n, k, rowLogLik, scratch, shift, kernels);
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(rowLogLik[i])) {
                throw notFinite(b, i, rowLogLik[i]);
            }
        }
    }

    private void checkShape(RowBlock b) {
        if (b.dim != d) {
            throw new IllegalArgumentException("E-step for k=" + k + ", d=" + d + " got rows of dimension " + b.dim);
        }
    }

    /** The error for row i of a block whose likelihood is not finite under any component. */
    public static NumericalException notFinite(RowBlock b, int i, double value) {
        double[] row = new double[b.dim];
        b.row(i, row);
        String shown = Arrays.toString(Arrays.copyOf(row, Math.min(row.length, 8))) + (row.length > 8 ? "..." : "");
        return new NumericalException("a row " + shown + " has log-likelihood " + value
                + " under every component; its values are too extreme for double precision (rescale the features)");
    }
}
