package dev.mixem.math;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two products of a linear form on a column-major block, as register-blocked Vector API loops:
 * <pre>
 *   scores   S = X·B       (m x k: one score per row and column of B)
 *   moments  F += Xᵀ·R     (d x k: responsibility-weighted sums)
 * </pre>
 * which is everything the E-step of a mixture of independent exponential-family features computes
 * (Bernoulli, Poisson, categorical on level indicators: log p(x, z=c) = const_c + Σ_j x_j η_cj, statistics
 * Σ r x). {@link SeparableGemm} is the two-term form of the diagonal Gaussian; this one-term form does half
 * its work per loaded value, so it has loops of its own.
 * <p>
 * Why not the native DGEMM: on these thin shapes (k of 2 to 50 columns, 2,048-row chunks) single-threaded
 * OpenBLAS ran at 16-17 GFLOP/s against 30-37 for these loops, on the 2-core machine where the README's figures
 * were measured (uncommitted harness, d = 100, k = 20); {@code bench --family bernoulli} measures the whole.
 * <p>
 * Loops: the scores take four vectors of rows (two on CPUs with 16 vector registers:
 * {@link #DEFAULT_ROW_VECTORS}) by four columns, so each loaded vector of X feeds 4 fused
 * multiply-adds and each broadcast coefficient 4 (or 2); a block of rows stays in L1 while every group of columns
 * passes over it, one panel of features at a time (see {@link #PANEL}). The moments take four features by four columns down the
 * rows (8 loads for 16 fused multiply-adds) and sum the lanes once per feature and column, in a fixed order.
 * Whole vectors only, no masks: rows past the last whole vector run one by one. Only add, multiply and fma are used, so the results are the same bits compiled or interpreted, on any
 * machine with the same vector width. One instance per task (its lane buffer); not thread-safe.
 * <p>
 * Coefficient layout ({@link #pack}): groups of four columns interleaved per feature,
 * {@code coef[c0·d + j·4 + q]} for column c0 + q; the last k mod 4 columns each as a plain column,
 * {@code coef[c·d + j]}.
 */
public final class LinearGemm {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int W = S.length();
    /**
     * Features per panel of the scores. The panel is the outer loop and the rows run inside it, so each of the
     * panel's 32 columns streams through the hardware prefetchers while a block of 4W rows by 32 features stays
     * in L1 for every group of columns. On blocks streamed from memory (640 x 100, k = 20, one core) this order
     * took 0.31-0.37 s per million rows, against 0.43-0.46 with the rows outside and 0.41 with 64-feature panels
     * (uncommitted harness).
     */
    private static final int PANEL = 32;
    /**
     * Vectors of rows per register block of the scores: 4 with AVX-512's 32 vector registers, 2 with AVX2's 16,
     * where 4 spilled (2 ran 1.2 times faster on one core of an AMD EPYC, 240 x 100, k = 20; uncommitted
     * harness). Every score is the same chain of fused multiply-adds either way: the bits do not change.
     */
    static final int DEFAULT_ROW_VECTORS = W >= 8 ? 4 : 2;
    private final double[] lanes = new double[W];
    private final int rowVectors;

    public LinearGemm() {
        this(DEFAULT_ROW_VECTORS);
    }

    /** With {@code rowVectors} (2 or 4) vectors of rows per register block of the scores (tests compare both). */
    LinearGemm(int rowVectors) {
        if (rowVectors != 2 && rowVectors != 4) {
            throw new IllegalArgumentException("rowVectors must be 2 or 4: " + rowVectors);
        }
        this.rowVectors = rowVectors;
    }

    /** The columns handled in groups of four. */
    private static int grouped(int k) {
        return k - (k & 3);
    }

    /** B (d x k, column c at {@code b[c*d + j]}) in the layout {@link #scores} reads. */
    public static double[] pack(int d, int k, double[] b) {
        double[] out = new double[k * d];
        int k4 = grouped(k);
        for (int c0 = 0; c0 < k4; c0 += 4) {
            for (int j = 0; j < d; j++) {
                for (int q = 0; q < 4; q++) {
                    out[c0 * d + j * 4 + q] = b[(c0 + q) * d + j];
                }
            }
        }
        System.arraycopy(b, k4 * d, out, k4 * d, (k - k4) * d);
        return out;
    }

    /**
     * {@code out[c*m + i] = init_c + Σ_j x_ij B_jc} for rows [r0, r0 + m) of the n x d block x and c < k (the
     * chain of fused multiply-adds starts from init_c and runs over j in order); {@code coef} from
     * {@link #pack}(d, k, B).
     */
    public void scores(double[] x, int n, int d, int r0, int m, double[] coef, int k, double[] init, double[] out) {
        int k4 = grouped(k);
        int group = rowVectors * W;
        int full = m - m % group;
        for (int jb = 0; jb < d; jb += PANEL) {
            int je = Math.min(d, jb + PANEL);
            for (int i = 0; i < full; i += group) {
                for (int c0 = 0; c0 < k4; c0 += 4) {
                    if (rowVectors == 4) {
                        scores4x4(x, n, d, jb, je, r0 + i, coef, init, c0, m, i, out);
                    } else {
                        scores2x4(x, n, d, jb, je, r0 + i, coef, init, c0, m, i, out);
                    }
                }
                for (int c = k4; c < k; c++) {
                    if (rowVectors == 4) {
                        scores4x1(x, n, d, jb, je, r0 + i, coef, init, c, m, i, out);
                    } else {
                        scores2x1(x, n, d, jb, je, r0 + i, coef, init, c, m, i, out);
                    }
                }
            }
        }
        int vec = m - m % W;
        for (int i = full; i < vec; i += W) {
            for (int c0 = 0; c0 < k4; c0 += 4) {
                scoresTail4(x, n, d, r0 + i, coef, init, c0, m, i, out);
            }
            for (int c = k4; c < k; c++) {
                DoubleVector a = DoubleVector.broadcast(S, init[c]);
                for (int j = 0; j < d; j++) {
                    a = DoubleVector.fromArray(S, x, j * n + r0 + i).fma(DoubleVector.broadcast(S, coef[c * d + j]), a);
                }
                a.intoArray(out, c * m + i);
            }
        }
        // The last m mod W rows one by one, by the same chain of fused multiply-adds as a lane: a row's score has
        // the same bits wherever it sits in a chunk.
        for (int i = vec; i < m; i++) {
            for (int c = 0; c < k; c++) {
                int base = c < k4 ? (c & ~3) * d : c * d;
                int step = c < k4 ? 4 : 1;
                int q = c < k4 ? c & 3 : 0;
                double a = init[c];
                for (int j = 0; j < d; j++) {
                    a = Math.fma(x[j * n + r0 + i], coef[base + j * step + q], a);
                }
                out[c * m + i] = a;
            }
        }
    }

    private static void scores4x4(double[] x, int n, int d, int jb, int je, int xi, double[] coef, double[] init, int c0,
                                  int m, int i, double[] out) {
        int o0 = c0 * m + i;
        int o1 = o0 + m;
        int o2 = o1 + m;
        int o3 = o2 + m;
        double i0 = init[c0];
        double i1 = init[c0 + 1];
        double i2 = init[c0 + 2];
        double i3 = init[c0 + 3];
        DoubleVector a0 = start(jb, i0, out, o0), b0 = start(jb, i0, out, o0 + W);
        DoubleVector e0 = start(jb, i0, out, o0 + 2 * W), h0 = start(jb, i0, out, o0 + 3 * W);
        DoubleVector a1 = start(jb, i1, out, o1), b1 = start(jb, i1, out, o1 + W);
        DoubleVector e1 = start(jb, i1, out, o1 + 2 * W), h1 = start(jb, i1, out, o1 + 3 * W);
        DoubleVector a2 = start(jb, i2, out, o2), b2 = start(jb, i2, out, o2 + W);
        DoubleVector e2 = start(jb, i2, out, o2 + 2 * W), h2 = start(jb, i2, out, o2 + 3 * W);
        DoubleVector a3 = start(jb, i3, out, o3), b3 = start(jb, i3, out, o3 + W);
        DoubleVector e3 = start(jb, i3, out, o3 + 2 * W), h3 = start(jb, i3, out, o3 + 3 * W);
        int cb = c0 * d;
        for (int j = jb; j < je; j++) {
            int col = j * n + xi;
            DoubleVector u = DoubleVector.fromArray(S, x, col);
            DoubleVector v = DoubleVector.fromArray(S, x, col + W);
            DoubleVector y = DoubleVector.fromArray(S, x, col + 2 * W);
            DoubleVector z = DoubleVector.fromArray(S, x, col + 3 * W);
            int o = cb + j * 4;
            DoubleVector c = DoubleVector.broadcast(S, coef[o]);
            a0 = u.fma(c, a0);
            b0 = v.fma(c, b0);
            e0 = y.fma(c, e0);
            h0 = z.fma(c, h0);
            c = DoubleVector.broadcast(S, coef[o + 1]);
            a1 = u.fma(c, a1);
            b1 = v.fma(c, b1);
            e1 = y.fma(c, e1);
            h1 = z.fma(c, h1);
            c = DoubleVector.broadcast(S, coef[o + 2]);
            a2 = u.fma(c, a2);
            b2 = v.fma(c, b2);
            e2 = y.fma(c, e2);
            h2 = z.fma(c, h2);
            c = DoubleVector.broadcast(S, coef[o + 3]);
            a3 = u.fma(c, a3);
            b3 = v.fma(c, b3);
            e3 = y.fma(c, e3);
            h3 = z.fma(c, h3);
        }
        a0.intoArray(out, o0);
        b0.intoArray(out, o0 + W);
        e0.intoArray(out, o0 + 2 * W);
        h0.intoArray(out, o0 + 3 * W);
        a1.intoArray(out, o1);
        b1.intoArray(out, o1 + W);
        e1.intoArray(out, o1 + 2 * W);
        h1.intoArray(out, o1 + 3 * W);
        a2.intoArray(out, o2);
        b2.intoArray(out, o2 + W);
        e2.intoArray(out, o2 + 2 * W);
        h2.intoArray(out, o2 + 3 * W);
        a3.intoArray(out, o3);
        b3.intoArray(out, o3 + W);
        e3.intoArray(out, o3 + 2 * W);
        h3.intoArray(out, o3 + 3 * W);
    }

    private static void scores4x1(double[] x, int n, int d, int jb, int je, int xi, double[] coef, double[] init, int c,
                                  int m, int i, double[] out) {
        int o = c * m + i;
        double i0 = init[c];
        DoubleVector a = start(jb, i0, out, o), b = start(jb, i0, out, o + W);
        DoubleVector e = start(jb, i0, out, o + 2 * W), h = start(jb, i0, out, o + 3 * W);
        for (int j = jb; j < je; j++) {
            int col = j * n + xi;
            DoubleVector cj = DoubleVector.broadcast(S, coef[c * d + j]);
            a = DoubleVector.fromArray(S, x, col).fma(cj, a);
            b = DoubleVector.fromArray(S, x, col + W).fma(cj, b);
            e = DoubleVector.fromArray(S, x, col + 2 * W).fma(cj, e);
            h = DoubleVector.fromArray(S, x, col + 3 * W).fma(cj, h);
        }
        a.intoArray(out, o);
        b.intoArray(out, o + W);
        e.intoArray(out, o + 2 * W);
        h.intoArray(out, o + 3 * W);
    }

    /** {@link #scores4x4} with 2 vectors of rows (8 accumulators: for 16 vector registers). */
    private static void scores2x4(double[] x, int n, int d, int jb, int je, int xi, double[] coef, double[] init, int c0,
                                  int m, int i, double[] out) {
        int o0 = c0 * m + i;
        int o1 = o0 + m;
        int o2 = o1 + m;
        int o3 = o2 + m;
        DoubleVector a0 = start(jb, init[c0], out, o0), b0 = start(jb, init[c0], out, o0 + W);
        DoubleVector a1 = start(jb, init[c0 + 1], out, o1), b1 = start(jb, init[c0 + 1], out, o1 + W);
        DoubleVector a2 = start(jb, init[c0 + 2], out, o2), b2 = start(jb, init[c0 + 2], out, o2 + W);
        DoubleVector a3 = start(jb, init[c0 + 3], out, o3), b3 = start(jb, init[c0 + 3], out, o3 + W);
        int cb = c0 * d;
        for (int j = jb; j < je; j++) {
            int col = j * n + xi;
            DoubleVector u = DoubleVector.fromArray(S, x, col);
            DoubleVector v = DoubleVector.fromArray(S, x, col + W);
            int o = cb + j * 4;
            DoubleVector c = DoubleVector.broadcast(S, coef[o]);
            a0 = u.fma(c, a0);
            b0 = v.fma(c, b0);
            c = DoubleVector.broadcast(S, coef[o + 1]);
            a1 = u.fma(c, a1);
            b1 = v.fma(c, b1);
            c = DoubleVector.broadcast(S, coef[o + 2]);
            a2 = u.fma(c, a2);
            b2 = v.fma(c, b2);
            c = DoubleVector.broadcast(S, coef[o + 3]);
            a3 = u.fma(c, a3);
            b3 = v.fma(c, b3);
        }
        a0.intoArray(out, o0);
        b0.intoArray(out, o0 + W);
        a1.intoArray(out, o1);
        b1.intoArray(out, o1 + W);
        a2.intoArray(out, o2);
        b2.intoArray(out, o2 + W);
        a3.intoArray(out, o3);
        b3.intoArray(out, o3 + W);
    }

    /** {@link #scores4x1} with 2 vectors of rows. */
    private static void scores2x1(double[] x, int n, int d, int jb, int je, int xi, double[] coef, double[] init, int c,
                                  int m, int i, double[] out) {
        int o = c * m + i;
        double i0 = init[c];
        DoubleVector a = start(jb, i0, out, o), b = start(jb, i0, out, o + W);
        for (int j = jb; j < je; j++) {
            int col = j * n + xi;
            DoubleVector cj = DoubleVector.broadcast(S, coef[c * d + j]);
            a = DoubleVector.fromArray(S, x, col).fma(cj, a);
            b = DoubleVector.fromArray(S, x, col + W).fma(cj, b);
        }
        a.intoArray(out, o);
        b.intoArray(out, o + W);
    }

    /** Rows past the last group of row vectors: one vector at a time, over all features (no panels: few rows). */
    private static void scoresTail4(double[] x, int n, int d, int xi, double[] coef, double[] init, int c0, int m, int i,
                                    double[] out) {
        DoubleVector a0 = DoubleVector.broadcast(S, init[c0]);
        DoubleVector a1 = DoubleVector.broadcast(S, init[c0 + 1]);
        DoubleVector a2 = DoubleVector.broadcast(S, init[c0 + 2]);
        DoubleVector a3 = DoubleVector.broadcast(S, init[c0 + 3]);
        int cb = c0 * d;
        for (int j = 0; j < d; j++) {
            DoubleVector u = DoubleVector.fromArray(S, x, j * n + xi);
            int o = cb + j * 4;
            a0 = u.fma(DoubleVector.broadcast(S, coef[o]), a0);
            a1 = u.fma(DoubleVector.broadcast(S, coef[o + 1]), a1);
            a2 = u.fma(DoubleVector.broadcast(S, coef[o + 2]), a2);
            a3 = u.fma(DoubleVector.broadcast(S, coef[o + 3]), a3);
        }
        int o0 = c0 * m + i;
        a0.intoArray(out, o0);
        a1.intoArray(out, o0 + m);
        a2.intoArray(out, o0 + 2 * m);
        a3.intoArray(out, o0 + 3 * m);
    }

    /**
     * {@code f[c*d + j] += Σ_i x_ij R_ic} over rows [r0, r0 + m) of the n x d block x; R is m x k
     * ({@code resp[c*m + i]}), f d x k column by column.
     */
    public void moments(double[] x, int n, int d, int r0, int m, double[] resp, int k, double[] f) {
        int k4 = grouped(k);
        int d4 = d - (d & 3);
        for (int c0 = 0; c0 < k4; c0 += 4) {
            for (int j = 0; j < d4; j += 4) {
                moments4x4(x, n, d, j, r0, m, resp, c0, f);
            }
            for (int j = d4; j < d; j++) {
                for (int q = 0; q < 4; q++) {
                    f[(c0 + q) * d + j] += dot(x, j * n + r0, resp, (c0 + q) * m, m);
                }
            }
        }
        for (int c = k4; c < k; c++) {
            for (int j = 0; j < d; j++) {
                f[c * d + j] += dot(x, j * n + r0, resp, c * m, m);
            }
        }
    }

    private void moments4x4(double[] x, int n, int d, int j, int r0, int m, double[] resp, int c0, double[] f) {
        int p0 = c0 * m;
        int p1 = p0 + m;
        int p2 = p1 + m;
        int p3 = p2 + m;
        int x0 = j * n + r0;
        int x1 = x0 + n;
        int x2 = x1 + n;
        int x3 = x2 + n;
        DoubleVector s00 = DoubleVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
        DoubleVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        DoubleVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        DoubleVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        int end = m - m % W;
        for (int i = 0; i < end; i += W) {
            DoubleVector w0 = DoubleVector.fromArray(S, resp, p0 + i);
            DoubleVector w1 = DoubleVector.fromArray(S, resp, p1 + i);
            DoubleVector w2 = DoubleVector.fromArray(S, resp, p2 + i);
            DoubleVector w3 = DoubleVector.fromArray(S, resp, p3 + i);
            DoubleVector u = DoubleVector.fromArray(S, x, x0 + i);
            s00 = u.fma(w0, s00);
            s01 = u.fma(w1, s01);
            s02 = u.fma(w2, s02);
            s03 = u.fma(w3, s03);
            u = DoubleVector.fromArray(S, x, x1 + i);
            s10 = u.fma(w0, s10);
            s11 = u.fma(w1, s11);
            s12 = u.fma(w2, s12);
            s13 = u.fma(w3, s13);
            u = DoubleVector.fromArray(S, x, x2 + i);
            s20 = u.fma(w0, s20);
            s21 = u.fma(w1, s21);
            s22 = u.fma(w2, s22);
            s23 = u.fma(w3, s23);
            u = DoubleVector.fromArray(S, x, x3 + i);
            s30 = u.fma(w0, s30);
            s31 = u.fma(w1, s31);
            s32 = u.fma(w2, s32);
            s33 = u.fma(w3, s33);
        }
        int at = c0 * d + j;
        f[at] += sum(s00) + tail(x, x0, resp, p0, end, m);
        f[at + d] += sum(s01) + tail(x, x0, resp, p1, end, m);
        f[at + 2 * d] += sum(s02) + tail(x, x0, resp, p2, end, m);
        f[at + 3 * d] += sum(s03) + tail(x, x0, resp, p3, end, m);
        f[at + 1] += sum(s10) + tail(x, x1, resp, p0, end, m);
        f[at + 1 + d] += sum(s11) + tail(x, x1, resp, p1, end, m);
        f[at + 1 + 2 * d] += sum(s12) + tail(x, x1, resp, p2, end, m);
        f[at + 1 + 3 * d] += sum(s13) + tail(x, x1, resp, p3, end, m);
        f[at + 2] += sum(s20) + tail(x, x2, resp, p0, end, m);
        f[at + 2 + d] += sum(s21) + tail(x, x2, resp, p1, end, m);
        f[at + 2 + 2 * d] += sum(s22) + tail(x, x2, resp, p2, end, m);
        f[at + 2 + 3 * d] += sum(s23) + tail(x, x2, resp, p3, end, m);
        f[at + 3] += sum(s30) + tail(x, x3, resp, p0, end, m);
        f[at + 3 + d] += sum(s31) + tail(x, x3, resp, p1, end, m);
        f[at + 3 + 2 * d] += sum(s32) + tail(x, x3, resp, p2, end, m);
        f[at + 3 + 3 * d] += sum(s33) + tail(x, x3, resp, p3, end, m);
    }

    /** Σ_i x[xo + i] r[ro + i] over i < m, lanes summed in a fixed order. */
    private double dot(double[] x, int xo, double[] r, int ro, int m) {
        DoubleVector s = DoubleVector.zero(S);
        int end = m - m % W;
        for (int i = 0; i < end; i += W) {
            s = DoubleVector.fromArray(S, x, xo + i).fma(DoubleVector.fromArray(S, r, ro + i), s);
        }
        return sum(s) + tail(x, xo, r, ro, end, m);
    }

    /**
     * Σ x[xo + i] r[ro + i] over the rows i in [from, m) past the last whole vector, one by one: with masked vector
     * loads for them, 655-row blocks ran 1.3-1.6 times slower than 640-row ones on JDK 17 (uncommitted harness).
     */
    private static double tail(double[] x, int xo, double[] r, int ro, int from, int m) {
        double s = 0;
        for (int i = from; i < m; i++) {
            s = Math.fma(x[xo + i], r[ro + i], s);
        }
        return s;
    }

    /** An accumulator's start: init for the first panel of features, else the sum so far (the chain goes on). */
    private static DoubleVector start(int jb, double init, double[] out, int at) {
        return jb == 0 ? DoubleVector.broadcast(S, init) : DoubleVector.fromArray(S, out, at);
    }

    /** The lanes added first to last: a fixed order, whatever the JIT does. */
    private double sum(DoubleVector v) {
        v.intoArray(lanes, 0);
        double s = lanes[0];
        for (int i = 1; i < W; i++) {
            s += lanes[i];
        }
        return s;
    }
}
