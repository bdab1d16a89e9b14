package dev.mixem.math;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two products of a separable quadratic form on a column-major block, as register-blocked Vector API
 * loops: with U = X - 1·refᵀ (rows centred on a reference, never stored) and U∘U its squares,
 * <pre>
 *   scores   S = U·B + (U∘U)·A            (m x K: one score per row and column of B and A)
 *   moments  F += Uᵀ·R,  Q += (U∘U)ᵀ·R     (d x K: responsibility-weighted sums)
 * </pre>
 * which is everything a diagonal or spherical Gaussian's E-step computes: log p(x, z=c) is
 * const_c + Σ_j u_j (δ_cj/σ²_cj) - ½ Σ_j u_j²/σ²_cj, and the statistics are Σ r u and Σ r u², two GEMMs of
 * N x D by D x K each way.
 * <p>
 * Loops: four vectors of rows (two on CPUs with 16 vector registers: {@link #DEFAULT_ROW_VECTORS}) by a group
 * of four (or two) columns of B and A, so each loaded vector of X feeds 8 (or 4) fused multiply-adds from
 * registers; the moments run one feature by a group of columns down the rows and sum the lanes once per feature, in a fixed order. Only add, multiply and fma are used, whose
 * results the Java and Vector API specifications fix, so the results are the same bits compiled or
 * interpreted, on any machine with the same vector width. One instance per task (its lane buffer); not
 * thread-safe.
 * <p>
 * Column layout: K is padded to an even count Kp (a padded column of B, A, C is zero, and of R too); the
 * coefficients of a group of g columns starting at column c are interleaved per feature,
 * {@code [B_c .. B_c+g-1, A_c .. A_c+g-1]} at offset {@code 2·c·d + j·2·g}: see {@link #pack}.
 */
public final class SeparableGemm {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int W = S.length();
    /**
     * Features per panel of the scores: the rows' values of a panel (rows x 32 doubles) stay in L1 and L2 while
     * every group of columns passes over them, and each feature's column is read front to back, which the
     * hardware prefetchers follow (reading 32 rows across all d features at once left the loop waiting on
     * L3: 15-16 GFLOP/s against 25-35 on data already in L2, at d = 784). Splitting the sum over j does not
     * change it: a panel's accumulators start from the previous panel's sums.
     */
    private static final int PANEL = 32;
    /**
     * Vectors of rows per register block of the scores. With AVX-512's 32 vector registers, 4 (16 accumulators
     * for 4 columns, plus the rows and their squares). With AVX2's 16, 4 would spill: 2 ran the scores 1.5 times
     * faster there (13.7 against 8.8-9.2 GFLOP/s on one core of an AMD EPYC, 240 x 784, k = 12; uncommitted
     * harness). Every output is the same chain of fused multiply-adds either way, so the choice never changes
     * a bit.
     */
    static final int DEFAULT_ROW_VECTORS = W >= 8 ? 4 : 2;
    private final double[] lanes = new double[W];
    private final int rowVectors;

    public SeparableGemm() {
        this(DEFAULT_ROW_VECTORS);
    }

    /** With {@code rowVectors} (2 or 4) vectors of rows per register block of the scores (tests compare both). */
    SeparableGemm(int rowVectors) {
        if (rowVectors != 2 && rowVectors != 4) {
            throw new IllegalArgumentException("rowVectors must be 2 or 4: " + rowVectors);
        }
        this.rowVectors = rowVectors;
    }

    /** Columns padded to an even count. */
    public static int padded(int k) {
        return k + (k & 1);
    }

    /**
     * Interleaves the columns of {@code terms} coefficient matrices (each d x k, column c of matrix t at
     * {@code mats[t][c*d + j]}) in the layout the kernels read; columns k .. Kp are zero.
     */
    public static double[] pack(int d, int k, double[]... mats) {
        int kp = padded(k);
        int terms = mats.length;
        double[] out = new double[terms * kp * d];
        for (int c0 = 0; c0 < kp; c0 += 4) {
            int g = kp - c0 >= 4 ? 4 : 2;
            int base = terms * c0 * d;
            for (int j = 0; j < d; j++) {
                for (int t = 0; t < terms; t++) {
                    for (int q = 0; q < g; q++) {
                        int c = c0 + q;
                        out[base + j * terms * g + t * g + q] = c < k ? mats[t][c * d + j] : 0.0;
                    }
                }
            }
            if (g == 2) {
                break;
            }
        }
        return out;
    }

    /**
     * {@code out[c*m + i] = Σ_j u_ij B_jc + u_ij² A_jc} for rows [r0, r0 + m) of the n x d block x, u = x - ref,
     * c < Kp; {@code coef} from {@link #pack}(d, k, B, A).
     */
    public void scores(double[] x, int n, int d, int r0, int m, double[] ref, double[] coef, int kp, double[] out) {
        for (int jb = 0; jb < d; jb += PANEL) {
            int je = Math.min(d, jb + PANEL);
            for (int c0 = 0; c0 < kp; c0 += 4) {
                if (kp - c0 >= 4) {
                    if (rowVectors == 4) {
                        scores4(x, n, jb, je, r0, m, ref, coef, 2 * c0 * d, c0, out);
                    } else {
                        scores4Narrow(x, n, jb, je, r0, m, ref, coef, 2 * c0 * d, c0, out);
                    }
                } else if (rowVectors == 4) {
                    scores2(x, n, jb, je, r0, m, ref, coef, 2 * c0 * d, c0, out);
                } else {
                    scores2Narrow(x, n, jb, je, r0, m, ref, coef, 2 * c0 * d, c0, out);
                }
            }
        }
    }

    private static void scores4(double[] x, int n, int jb, int je, int r0, int m, double[] ref, double[] coef, int cb, int c0,
                                double[] out) {
        int o0 = c0 * m;
        int o1 = o0 + m;
        int o2 = o1 + m;
        int o3 = o2 + m;
        int i = 0;
        for (; i + 4 * W <= m; i += 4 * W) {
            DoubleVector a0 = start(jb, out, o0 + i), b0 = start(jb, out, o0 + i + W);
            DoubleVector e0 = start(jb, out, o0 + i + 2 * W), h0 = start(jb, out, o0 + i + 3 * W);
            DoubleVector a1 = start(jb, out, o1 + i), b1 = start(jb, out, o1 + i + W);
            DoubleVector e1 = start(jb, out, o1 + i + 2 * W), h1 = start(jb, out, o1 + i + 3 * W);
            DoubleVector a2 = start(jb, out, o2 + i), b2 = start(jb, out, o2 + i + W);
            DoubleVector e2 = start(jb, out, o2 + i + 2 * W), h2 = start(jb, out, o2 + i + 3 * W);
            DoubleVector a3 = start(jb, out, o3 + i), b3 = start(jb, out, o3 + i + W);
            DoubleVector e3 = start(jb, out, o3 + i + 2 * W), h3 = start(jb, out, o3 + i + 3 * W);
            int xi = r0 + i;
            for (int j = jb; j < je; j++) {
                double rj = ref[j];
                int col = j * n + xi;
                DoubleVector u = DoubleVector.fromArray(S, x, col).sub(rj);
                DoubleVector v = DoubleVector.fromArray(S, x, col + W).sub(rj);
                DoubleVector y = DoubleVector.fromArray(S, x, col + 2 * W).sub(rj);
                DoubleVector z = DoubleVector.fromArray(S, x, col + 3 * W).sub(rj);
                DoubleVector u2 = u.mul(u);
                DoubleVector v2 = v.mul(v);
                DoubleVector y2 = y.mul(y);
                DoubleVector z2 = z.mul(z);
                int o = cb + j * 8;
                DoubleVector cB = DoubleVector.broadcast(S, coef[o]);
                DoubleVector cA = DoubleVector.broadcast(S, coef[o + 4]);
                a0 = u2.fma(cA, u.fma(cB, a0));
                b0 = v2.fma(cA, v.fma(cB, b0));
                e0 = y2.fma(cA, y.fma(cB, e0));
                h0 = z2.fma(cA, z.fma(cB, h0));
                cB = DoubleVector.broadcast(S, coef[o + 1]);
                cA = DoubleVector.broadcast(S, coef[o + 5]);
                a1 = u2.fma(cA, u.fma(cB, a1));
                b1 = v2.fma(cA, v.fma(cB, b1));
                e1 = y2.fma(cA, y.fma(cB, e1));
                h1 = z2.fma(cA, z.fma(cB, h1));
                cB = DoubleVector.broadcast(S, coef[o + 2]);
                cA = DoubleVector.broadcast(S, coef[o + 6]);
                a2 = u2.fma(cA, u.fma(cB, a2));
                b2 = v2.fma(cA, v.fma(cB, b2));
                e2 = y2.fma(cA, y.fma(cB, e2));
                h2 = z2.fma(cA, z.fma(cB, h2));
                cB = DoubleVector.broadcast(S, coef[o + 3]);
                cA = DoubleVector.broadcast(S, coef[o + 7]);
                a3 = u2.fma(cA, u.fma(cB, a3));
                b3 = v2.fma(cA, v.fma(cB, b3));
                e3 = y2.fma(cA, y.fma(cB, e3));
                h3 = z2.fma(cA, z.fma(cB, h3));
            }
            a0.intoArray(out, o0 + i);
            b0.intoArray(out, o0 + i + W);
            e0.intoArray(out, o0 + i + 2 * W);
            h0.intoArray(out, o0 + i + 3 * W);
            a1.intoArray(out, o1 + i);
            b1.intoArray(out, o1 + i + W);
            e1.intoArray(out, o1 + i + 2 * W);
            h1.intoArray(out, o1 + i + 3 * W);
            a2.intoArray(out, o2 + i);
            b2.intoArray(out, o2 + i + W);
            e2.intoArray(out, o2 + i + 2 * W);
            h2.intoArray(out, o2 + i + 3 * W);
            a3.intoArray(out, o3 + i);
            b3.intoArray(out, o3 + i + W);
            e3.intoArray(out, o3 + i + 2 * W);
            h3.intoArray(out, o3 + i + 3 * W);
        }
        if (i < m) {
            scoresTail4(x, n, jb, je, r0, i, m, ref, coef, cb, o0, o1, o2, o3, out);
        }
    }

    /** {@link #scores4} with 2 vectors of rows per block (8 accumulators: for 16 vector registers). */
    private static void scores4Narrow(double[] x, int n, int jb, int je, int r0, int m, double[] ref, double[] coef, int cb,
                                      int c0, double[] out) {
        int o0 = c0 * m;
        int o1 = o0 + m;
        int o2 = o1 + m;
        int o3 = o2 + m;
        int i = 0;
        for (; i + 2 * W <= m; i += 2 * W) {
            DoubleVector a0 = start(jb, out, o0 + i), b0 = start(jb, out, o0 + i + W);
            DoubleVector a1 = start(jb, out, o1 + i), b1 = start(jb, out, o1 + i + W);
            DoubleVector a2 = start(jb, out, o2 + i), b2 = start(jb, out, o2 + i + W);
            DoubleVector a3 = start(jb, out, o3 + i), b3 = start(jb, out, o3 + i + W);
            int xi = r0 + i;
            for (int j = jb; j < je; j++) {
                double rj = ref[j];
                int col = j * n + xi;
                DoubleVector u = DoubleVector.fromArray(S, x, col).sub(rj);
                DoubleVector v = DoubleVector.fromArray(S, x, col + W).sub(rj);
                DoubleVector u2 = u.mul(u);
                DoubleVector v2 = v.mul(v);
                int o = cb + j * 8;
                DoubleVector cB = DoubleVector.broadcast(S, coef[o]);
                DoubleVector cA = DoubleVector.broadcast(S, coef[o + 4]);
                a0 = u2.fma(cA, u.fma(cB, a0));
                b0 = v2.fma(cA, v.fma(cB, b0));
                cB = DoubleVector.broadcast(S, coef[o + 1]);
                cA = DoubleVector.broadcast(S, coef[o + 5]);
                a1 = u2.fma(cA, u.fma(cB, a1));
                b1 = v2.fma(cA, v.fma(cB, b1));
                cB = DoubleVector.broadcast(S, coef[o + 2]);
                cA = DoubleVector.broadcast(S, coef[o + 6]);
                a2 = u2.fma(cA, u.fma(cB, a2));
                b2 = v2.fma(cA, v.fma(cB, b2));
                cB = DoubleVector.broadcast(S, coef[o + 3]);
                cA = DoubleVector.broadcast(S, coef[o + 7]);
                a3 = u2.fma(cA, u.fma(cB, a3));
                b3 = v2.fma(cA, v.fma(cB, b3));
            }
            a0.intoArray(out, o0 + i);
            b0.intoArray(out, o0 + i + W);
            a1.intoArray(out, o1 + i);
            b1.intoArray(out, o1 + i + W);
            a2.intoArray(out, o2 + i);
            b2.intoArray(out, o2 + i + W);
            a3.intoArray(out, o3 + i);
            b3.intoArray(out, o3 + i + W);
        }
        if (i < m) {
            scoresTail4(x, n, jb, je, r0, i, m, ref, coef, cb, o0, o1, o2, o3, out);
        }
    }

    /** {@link #scores2} with 2 vectors of rows per block. */
    private static void scores2Narrow(double[] x, int n, int jb, int je, int r0, int m, double[] ref, double[] coef, int cb,
                                      int c0, double[] out) {
        int o0 = c0 * m;
        int o1 = o0 + m;
        int i = 0;
        for (; i + 2 * W <= m; i += 2 * W) {
            DoubleVector a0 = start(jb, out, o0 + i), b0 = start(jb, out, o0 + i + W);
            DoubleVector a1 = start(jb, out, o1 + i), b1 = start(jb, out, o1 + i + W);
            int xi = r0 + i;
            for (int j = jb; j < je; j++) {
                double rj = ref[j];
                int col = j * n + xi;
                DoubleVector u = DoubleVector.fromArray(S, x, col).sub(rj);
                DoubleVector v = DoubleVector.fromArray(S, x, col + W).sub(rj);
                DoubleVector u2 = u.mul(u);
                DoubleVector v2 = v.mul(v);
                int o = cb + j * 4;
                DoubleVector cB = DoubleVector.broadcast(S, coef[o]);
                DoubleVector cA = DoubleVector.broadcast(S, coef[o + 2]);
                a0 = u2.fma(cA, u.fma(cB, a0));
                b0 = v2.fma(cA, v.fma(cB, b0));
                cB = DoubleVector.broadcast(S, coef[o + 1]);
                cA = DoubleVector.broadcast(S, coef[o + 3]);
                a1 = u2.fma(cA, u.fma(cB, a1));
                b1 = v2.fma(cA, v.fma(cB, b1));
            }
            a0.intoArray(out, o0 + i);
            b0.intoArray(out, o0 + i + W);
            a1.intoArray(out, o1 + i);
            b1.intoArray(out, o1 + i + W);
        }
        if (i < m) {
            scoresTail2(x, n, jb, je, r0, i, m, ref, coef, cb, o0, o1, out);
        }
    }

    private static void scoresTail4(double[] x, int n, int jb, int je, int r0, int i, int m, double[] ref, double[] coef, int cb,
                                    int o0, int o1, int o2, int o3, double[] out) {
        for (; i < m; i += W) {
            VectorMask<Double> in = S.indexInRange(i, m);
            DoubleVector a0 = start(jb, out, o0 + i, in), a1 = start(jb, out, o1 + i, in);
            DoubleVector a2 = start(jb, out, o2 + i, in), a3 = start(jb, out, o3 + i, in);
            int xi = r0 + i;
            for (int j = jb; j < je; j++) {
                DoubleVector u = DoubleVector.fromArray(S, x, j * n + xi, in).sub(ref[j]);
                DoubleVector u2 = u.mul(u);
                int o = cb + j * 8;
                a0 = u2.fma(bc(coef[o + 4]), u.fma(bc(coef[o]), a0));
                a1 = u2.fma(bc(coef[o + 5]), u.fma(bc(coef[o + 1]), a1));
                a2 = u2.fma(bc(coef[o + 6]), u.fma(bc(coef[o + 2]), a2));
                a3 = u2.fma(bc(coef[o + 7]), u.fma(bc(coef[o + 3]), a3));
            }
            a0.intoArray(out, o0 + i, in);
            a1.intoArray(out, o1 + i, in);
            a2.intoArray(out, o2 + i, in);
            a3.intoArray(out, o3 + i, in);
        }
    }

    private static void scores2(double[] x, int n, int jb, int je, int r0, int m, double[] ref, double[] coef, int cb, int c0,
                                double[] out) {
        int o0 = c0 * m;
        int o1 = o0 + m;
        int i = 0;
        for (; i + 4 * W <= m; i += 4 * W) {
            DoubleVector a0 = start(jb, out, o0 + i), b0 = start(jb, out, o0 + i + W);
            DoubleVector e0 = start(jb, out, o0 + i + 2 * W), h0 = start(jb, out, o0 + i + 3 * W);
            DoubleVector a1 = start(jb, out, o1 + i), b1 = start(jb, out, o1 + i + W);
            DoubleVector e1 = start(jb, out, o1 + i + 2 * W), h1 = start(jb, out, o1 + i + 3 * W);
            int xi = r0 + i;
            for (int j = jb; j < je; j++) {
                double rj = ref[j];
                int col = j * n + xi;
                DoubleVector u = DoubleVector.fromArray(S, x, col).sub(rj);
                DoubleVector v = DoubleVector.fromArray(S, x, col + W).sub(rj);
                DoubleVector y = DoubleVector.fromArray(S, x, col + 2 * W).sub(rj);
                DoubleVector z = DoubleVector.fromArray(S, x, col + 3 * W).sub(rj);
                DoubleVector u2 = u.mul(u);
                DoubleVector v2 = v.mul(v);
                DoubleVector y2 = y.mul(y);
                DoubleVector z2 = z.mul(z);
                int o = cb + j * 4;
                DoubleVector cB = DoubleVector.broadcast(S, coef[o]);
                DoubleVector cA = DoubleVector.broadcast(S, coef[o + 2]);
                a0 = u2.fma(cA, u.fma(cB, a0));
                b0 = v2.fma(cA, v.fma(cB, b0));
                e0 = y2.fma(cA, y.fma(cB, e0));
                h0 = z2.fma(cA, z.fma(cB, h0));
                cB = DoubleVector.broadcast(S, coef[o + 1]);
                cA = DoubleVector.broadcast(S, coef[o + 3]);
                a1 = u2.fma(cA, u.fma(cB, a1));
                b1 = v2.fma(cA, v.fma(cB, b1));
                e1 = y2.fma(cA, y.fma(cB, e1));
                h1 = z2.fma(cA, z.fma(cB, h1));
            }
            a0.intoArray(out, o0 + i);
            b0.intoArray(out, o0 + i + W);
            e0.intoArray(out, o0 + i + 2 * W);
            h0.intoArray(out, o0 + i + 3 * W);
            a1.intoArray(out, o1 + i);
            b1.intoArray(out, o1 + i + W);
            e1.intoArray(out, o1 + i + 2 * W);
            h1.intoArray(out, o1 + i + 3 * W);
        }
        if (i < m) {
            scoresTail2(x, n, jb, je, r0, i, m, ref, coef, cb, o0, o1, out);
        }
    }

    private static void scoresTail2(double[] x, int n, int jb, int je, int r0, int i, int m, double[] ref, double[] coef, int cb,
                                    int o0, int o1, double[] out) {
        for (; i < m; i += W) {
            VectorMask<Double> in = S.indexInRange(i, m);
            DoubleVector a0 = start(jb, out, o0 + i, in), a1 = start(jb, out, o1 + i, in);
            int xi = r0 + i;
            for (int j = jb; j < je; j++) {
                DoubleVector u = DoubleVector.fromArray(S, x, j * n + xi, in).sub(ref[j]);
                DoubleVector u2 = u.mul(u);
                int o = cb + j * 4;
                a0 = u2.fma(bc(coef[o + 2]), u.fma(bc(coef[o]), a0));
                a1 = u2.fma(bc(coef[o + 3]), u.fma(bc(coef[o + 1]), a1));
            }
            a0.intoArray(out, o0 + i, in);
            a1.intoArray(out, o1 + i, in);
        }
    }

    /**
     * {@code f[c*d + j] += Σ_i u_ij R_ic}, {@code q[c*d + j] += Σ_i u_ij² R_ic} over rows [r0, r0 + m) of the
     * n x d block x, u = x - ref; R is m x Kp ({@code resp[c*m + i]}), f and q Kp x d.
     */
    public void moments(double[] x, int n, int d, int r0, int m, double[] ref, double[] resp, int kp,
                        double[] f, double[] q) {
        if (rowVectors == 2) {
            // 16 vector registers: two features by two columns (8 accumulators, 4 loads for 8 fused multiply-adds)
            // ran 1.17 times faster than one feature by four columns (uncommitted harness, AMD EPYC, 240 x 784).
            int d2 = d - (d & 1);
            for (int c0 = 0; c0 < kp; c0 += 2) {
                for (int j = 0; j < d2; j += 2) {
                    moments2x2(x, n, d, j, r0, m, ref, resp, c0, f, q);
                }
                if (d2 < d) {
                    moments2(x, n, d, d2, r0, m, ref, resp, c0, f, q);
                }
            }
            return;
        }
        for (int c0 = 0; c0 < kp; c0 += 4) {
            if (kp - c0 >= 4) {
                moments4(x, n, d, r0, m, ref, resp, c0, f, q);
            } else {
                moments2(x, n, d, 0, r0, m, ref, resp, c0, f, q);
            }
        }
    }

    private void moments4(double[] x, int n, int d, int r0, int m, double[] ref, double[] resp, int c0,
                          double[] f, double[] q) {
        int p0 = c0 * m;
        int p1 = p0 + m;
        int p2 = p1 + m;
        int p3 = p2 + m;
        int end = m - m % W;
        VectorMask<Double> in = S.indexInRange(end, m);
        for (int j = 0; j < d; j++) {
            DoubleVector f0 = DoubleVector.zero(S), f1 = f0, f2 = f0, f3 = f0;
            DoubleVector q0 = f0, q1 = f0, q2 = f0, q3 = f0;
            double rj = ref[j];
            int col = j * n + r0;
            for (int i = 0; i < end; i += W) {
                DoubleVector u = DoubleVector.fromArray(S, x, col + i).sub(rj);
                DoubleVector u2 = u.mul(u);
                DoubleVector w0 = DoubleVector.fromArray(S, resp, p0 + i);
                DoubleVector w1 = DoubleVector.fromArray(S, resp, p1 + i);
                DoubleVector w2 = DoubleVector.fromArray(S, resp, p2 + i);
                DoubleVector w3 = DoubleVector.fromArray(S, resp, p3 + i);
                f0 = u.fma(w0, f0);
                f1 = u.fma(w1, f1);
                f2 = u.fma(w2, f2);
                f3 = u.fma(w3, f3);
                q0 = u2.fma(w0, q0);
                q1 = u2.fma(w1, q1);
                q2 = u2.fma(w2, q2);
                q3 = u2.fma(w3, q3);
            }
            if (end < m) {
                // The last rows, masked (the lanes past m load 0 and add 0).
                DoubleVector u = DoubleVector.fromArray(S, x, col + end, in).sub(rj);
                DoubleVector u2 = u.mul(u);
                DoubleVector w0 = DoubleVector.fromArray(S, resp, p0 + end, in);
                DoubleVector w1 = DoubleVector.fromArray(S, resp, p1 + end, in);
                DoubleVector w2 = DoubleVector.fromArray(S, resp, p2 + end, in);
                DoubleVector w3 = DoubleVector.fromArray(S, resp, p3 + end, in);
                f0 = u.fma(w0, f0);
                f1 = u.fma(w1, f1);
                f2 = u.fma(w2, f2);
                f3 = u.fma(w3, f3);
                q0 = u2.fma(w0, q0);
                q1 = u2.fma(w1, q1);
                q2 = u2.fma(w2, q2);
                q3 = u2.fma(w3, q3);
            }
            int at = c0 * d + j;
            f[at] += sum(f0);
            f[at + d] += sum(f1);
            f[at + 2 * d] += sum(f2);
            f[at + 3 * d] += sum(f3);
            q[at] += sum(q0);
            q[at + d] += sum(q1);
            q[at + 2 * d] += sum(q2);
            q[at + 3 * d] += sum(q3);
        }
    }

    /** Features from j0 on, by the two columns c0 and c0 + 1. */
    private void moments2(double[] x, int n, int d, int j0, int r0, int m, double[] ref, double[] resp, int c0,
                          double[] f, double[] q) {
        int p0 = c0 * m;
        int p1 = p0 + m;
        int end = m - m % W;
        VectorMask<Double> in = S.indexInRange(end, m);
        for (int j = j0; j < d; j++) {
            DoubleVector f0 = DoubleVector.zero(S), f1 = f0, q0 = f0, q1 = f0;
            double rj = ref[j];
            int col = j * n + r0;
            for (int i = 0; i < end; i += W) {
                DoubleVector u = DoubleVector.fromArray(S, x, col + i).sub(rj);
                DoubleVector u2 = u.mul(u);
                DoubleVector w0 = DoubleVector.fromArray(S, resp, p0 + i);
                DoubleVector w1 = DoubleVector.fromArray(S, resp, p1 + i);
                f0 = u.fma(w0, f0);
                f1 = u.fma(w1, f1);
                q0 = u2.fma(w0, q0);
                q1 = u2.fma(w1, q1);
            }
            if (end < m) {
                DoubleVector u = DoubleVector.fromArray(S, x, col + end, in).sub(rj);
                DoubleVector u2 = u.mul(u);
                DoubleVector w0 = DoubleVector.fromArray(S, resp, p0 + end, in);
                DoubleVector w1 = DoubleVector.fromArray(S, resp, p1 + end, in);
                f0 = u.fma(w0, f0);
                f1 = u.fma(w1, f1);
                q0 = u2.fma(w0, q0);
                q1 = u2.fma(w1, q1);
            }
            int at = c0 * d + j;
            f[at] += sum(f0);
            f[at + d] += sum(f1);
            q[at] += sum(q0);
            q[at + d] += sum(q1);
        }
    }

    /**
     * Features j and j + 1 by columns c0 and c0 + 1: each (feature, column) accumulates its rows exactly as in
     * {@link #moments4} and {@link #moments2} (whole vectors in order, then the masked last rows, then the lanes
     * in order), so the bits are theirs.
     */
    private void moments2x2(double[] x, int n, int d, int j, int r0, int m, double[] ref, double[] resp, int c0,
                            double[] f, double[] q) {
        int p0 = c0 * m;
        int p1 = p0 + m;
        int end = m - m % W;
        double rj = ref[j];
        double rk = ref[j + 1];
        int x0 = j * n + r0;
        int x1 = x0 + n;
        DoubleVector f00 = DoubleVector.zero(S), f01 = f00, f10 = f00, f11 = f00;
        DoubleVector q00 = f00, q01 = f00, q10 = f00, q11 = f00;
        for (int i = 0; i < end; i += W) {
            DoubleVector w0 = DoubleVector.fromArray(S, resp, p0 + i);
            DoubleVector w1 = DoubleVector.fromArray(S, resp, p1 + i);
            DoubleVector u = DoubleVector.fromArray(S, x, x0 + i).sub(rj);
            DoubleVector u2 = u.mul(u);
            f00 = u.fma(w0, f00);
            f01 = u.fma(w1, f01);
            q00 = u2.fma(w0, q00);
            q01 = u2.fma(w1, q01);
            DoubleVector v = DoubleVector.fromArray(S, x, x1 + i).sub(rk);
            DoubleVector v2 = v.mul(v);
            f10 = v.fma(w0, f10);
            f11 = v.fma(w1, f11);
            q10 = v2.fma(w0, q10);
            q11 = v2.fma(w1, q11);
        }
        if (end < m) {
            VectorMask<Double> in = S.indexInRange(end, m);
            DoubleVector w0 = DoubleVector.fromArray(S, resp, p0 + end, in);
            DoubleVector w1 = DoubleVector.fromArray(S, resp, p1 + end, in);
            DoubleVector u = DoubleVector.fromArray(S, x, x0 + end, in).sub(rj);
            DoubleVector u2 = u.mul(u);
            f00 = u.fma(w0, f00);
            f01 = u.fma(w1, f01);
            q00 = u2.fma(w0, q00);
            q01 = u2.fma(w1, q01);
            DoubleVector v = DoubleVector.fromArray(S, x, x1 + end, in).sub(rk);
            DoubleVector v2 = v.mul(v);
            f10 = v.fma(w0, f10);
            f11 = v.fma(w1, f11);
            q10 = v2.fma(w0, q10);
            q11 = v2.fma(w1, q11);
        }
        int at = c0 * d + j;
        f[at] += sum(f00);
        f[at + d] += sum(f01);
        q[at] += sum(q00);
        q[at + d] += sum(q01);
        f[at + 1] += sum(f10);
        f[at + 1 + d] += sum(f11);
        q[at + 1] += sum(q10);
        q[at + 1 + d] += sum(q11);
    }

    /** An accumulator's start: 0 for the first panel of features, else the sum so far (the chain goes on). */
    private static DoubleVector start(int jb, double[] out, int at) {
        return jb == 0 ? DoubleVector.zero(S) : DoubleVector.fromArray(S, out, at);
    }

    private static DoubleVector start(int jb, double[] out, int at, VectorMask<Double> in) {
        return jb == 0 ? DoubleVector.zero(S) : DoubleVector.fromArray(S, out, at, in);
    }

    private static DoubleVector bc(double v) {
        return DoubleVector.broadcast(S, v);
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
