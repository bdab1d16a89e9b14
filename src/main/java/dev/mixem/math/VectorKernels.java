package dev.mixem.math;

import dev.ludovic.netlib.blas.BLAS;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Block kernels on the JDK Vector API (loaded only when the jdk.incubator.vector module is present).
 * <ul>
 *   <li>Triangular solve: a strip of 2 vectors of rows goes through the columns four at a time, so the strip
 *       stays in L1 and each loaded vector of an earlier column feeds four fused multiply-adds into eight
 *       independent accumulators. Going one column at a time, each step was one load per FMA on two
 *       dependent chains, and the solve ran 1.45 times slower on a 4-lane AVX2 CPU (uncommitted harness,
 *       655 x 20, 640 x 21 and 1024 x 12).</li>
 *   <li>syrk: 2 x 2 tiles of column pairs with four vector accumulators, reduced once per tile, lane by
 *       lane in a fixed order (not reduceLanes, whose order the Vector API leaves open).</li>
 *   <li>A transposed matrix-vector product with the same accumulators and reduction.</li>
 *   <li>exp: {@link Exp}'s algorithm, lane by lane the same bits as its scalar form.</li>
 * </ul>
 * Only operations whose results the Java and Vector API specifications fix are used (add, multiply, fma,
 * exact conversions), so the results do not depend on whether, or when, the JIT compiled the code: a
 * replacement executor in a cold JVM computes what the lost one did. With native BLAS loaded, the level-3
 * routines go to BLAS and exp is vectorized here.
 */
final class VectorKernels implements BlockKernels {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int W = S.length();
    /**
     * exp's Taylor coefficients 1/13! .. 1/2! as scalars: each is broadcast where it is used, which the JIT
     * hoists out of the loop. (Vectors kept in an array are boxed objects to the JIT: reading them in the
     * loop made exp three times slower.)
     */
    private static final double C13 = Exp.INVERSE_FACTORIALS[0];
    private static final double C12 = Exp.INVERSE_FACTORIALS[1];
    private static final double C11 = Exp.INVERSE_FACTORIALS[2];
    private static final double C10 = Exp.INVERSE_FACTORIALS[3];
    private static final double C9 = Exp.INVERSE_FACTORIALS[4];
    private static final double C8 = Exp.INVERSE_FACTORIALS[5];
    private static final double C7 = Exp.INVERSE_FACTORIALS[6];
    private static final double C6 = Exp.INVERSE_FACTORIALS[7];
    private static final double C5 = Exp.INVERSE_FACTORIALS[8];
    private static final double C4 = Exp.INVERSE_FACTORIALS[9];
    private static final double C3 = Exp.INVERSE_FACTORIALS[10];
    private static final double C2 = Exp.INVERSE_FACTORIALS[11];

    private final BLAS blas;

    private VectorKernels(BLAS blas) {
        this.blas = blas;
    }

    static VectorKernels withBlas(BLAS blas) {
        return new VectorKernels(blas);
    }

    /** Doubles per vector. */
    static int lanes() {
        return W;
    }

    static VectorKernels standalone() {
        return new VectorKernels(null);
    }

    @Override
    public String name() {
        return blas == null ? "vector-api(" + W + " lanes)" : blas.getClass().getSimpleName() + "+vector-exp";
    }

    @Override
    public void solveLowerTransposed(int m, int d, double[] l, int lOff, double[] y, int yOff) {
        if (blas != null) {
            blas.dtrsm("R", "L", "T", "N", m, d, 1.0, l, lOff, d, y, yOff, m);
            return;
        }
        int strip = 2 * W;
        int i0 = 0;
        for (; i0 + strip <= m; i0 += strip) {
            int j0 = 0;
            for (; j0 + 4 <= d; j0 += 4) {
                solveFour(m, d, l, lOff, y, yOff + i0, j0);
            }
            for (int j = j0; j < d; j++) {
                int cj = yOff + j * m + i0;
                DoubleVector a0 = DoubleVector.fromArray(S, y, cj);
                DoubleVector a1 = DoubleVector.fromArray(S, y, cj + W);
                for (int t = 0; t < j; t++) {
                    DoubleVector f = DoubleVector.broadcast(S, -l[lOff + j + t * d]);
                    int ct = yOff + t * m + i0;
                    a0 = DoubleVector.fromArray(S, y, ct).fma(f, a0);
                    a1 = DoubleVector.fromArray(S, y, ct + W).fma(f, a1);
                }
                double inv = 1.0 / l[lOff + j + j * d];
                a0.mul(inv).intoArray(y, cj);
                a1.mul(inv).intoArray(y, cj + W);
            }
        }
        // The rows after the last strip, with the same operations in the same order as the vector lanes.
        for (int j = 0; j < d; j++) {
            double inv = 1.0 / l[lOff + j + j * d];
            for (int i = i0; i < m; i++) {
                double v = y[yOff + j * m + i];
                for (int t = 0; t < j; t++) {
                    v = Math.fma(y[yOff + t * m + i], -l[lOff + j + t * d], v);
                }
                y[yOff + j * m + i] = v * inv;
            }
        }
    }

    /**
     * Columns j0 .. j0+3 of a strip of 2 vectors of rows: first every earlier column t < j0 into all four (each
     * loaded vector of column t feeds 4 fused multiply-adds, 8 accumulators in registers), then the four among
     * themselves. Each column still takes its terms t = 0, 1, .. in order and is divided by its diagonal last,
     * so every row gets the bits of the one-column loop and of the scalar rows below.
     */
    private static void solveFour(int m, int d, double[] l, int lOff, double[] y, int at, int j0) {
        int c0 = at + j0 * m;
        int c1 = c0 + m;
        int c2 = c1 + m;
        int c3 = c2 + m;
        DoubleVector a0 = DoubleVector.fromArray(S, y, c0), b0 = DoubleVector.fromArray(S, y, c0 + W);
        DoubleVector a1 = DoubleVector.fromArray(S, y, c1), b1 = DoubleVector.fromArray(S, y, c1 + W);
        DoubleVector a2 = DoubleVector.fromArray(S, y, c2), b2 = DoubleVector.fromArray(S, y, c2 + W);
        DoubleVector a3 = DoubleVector.fromArray(S, y, c3), b3 = DoubleVector.fromArray(S, y, c3 + W);
        for (int t = 0; t < j0; t++) {
            int ct = at + t * m;
            DoubleVector u = DoubleVector.fromArray(S, y, ct);
            DoubleVector v = DoubleVector.fromArray(S, y, ct + W);
            int lt = lOff + j0 + t * d;
            DoubleVector f = DoubleVector.broadcast(S, -l[lt]);
            a0 = u.fma(f, a0);
            b0 = v.fma(f, b0);
            f = DoubleVector.broadcast(S, -l[lt + 1]);
            a1 = u.fma(f, a1);
            b1 = v.fma(f, b1);
            f = DoubleVector.broadcast(S, -l[lt + 2]);
            a2 = u.fma(f, a2);
            b2 = v.fma(f, b2);
            f = DoubleVector.broadcast(S, -l[lt + 3]);
            a3 = u.fma(f, a3);
            b3 = v.fma(f, b3);
        }
        // Column j0 is done; it enters j0+1 .. j0+3 as their term t = j0, and so on down the block.
        int l0 = lOff + j0 * d;
        double inv = 1.0 / l[l0 + j0];
        a0 = a0.mul(inv);
        b0 = b0.mul(inv);
        DoubleVector f = DoubleVector.broadcast(S, -l[l0 + j0 + 1]);
        a1 = a0.fma(f, a1);
        b1 = b0.fma(f, b1);
        f = DoubleVector.broadcast(S, -l[l0 + j0 + 2]);
        a2 = a0.fma(f, a2);
        b2 = b0.fma(f, b2);
        f = DoubleVector.broadcast(S, -l[l0 + j0 + 3]);
        a3 = a0.fma(f, a3);
        b3 = b0.fma(f, b3);
        int l1 = l0 + d;
        inv = 1.0 / l[l1 + j0 + 1];
        a1 = a1.mul(inv);
        b1 = b1.mul(inv);
        f = DoubleVector.broadcast(S, -l[l1 + j0 + 2]);
        a2 = a1.fma(f, a2);
        b2 = b1.fma(f, b2);
        f = DoubleVector.broadcast(S, -l[l1 + j0 + 3]);
        a3 = a1.fma(f, a3);
        b3 = b1.fma(f, b3);
        int l2 = l1 + d;
        inv = 1.0 / l[l2 + j0 + 2];
        a2 = a2.mul(inv);
        b2 = b2.mul(inv);
        f = DoubleVector.broadcast(S, -l[l2 + j0 + 3]);
        a3 = a2.fma(f, a3);
        b3 = b2.fma(f, b3);
        inv = 1.0 / l[l2 + d + j0 + 3];
        a3 = a3.mul(inv);
        b3 = b3.mul(inv);
        a0.intoArray(y, c0);
        b0.intoArray(y, c0 + W);
        a1.intoArray(y, c1);
        b1.intoArray(y, c1 + W);
        a2.intoArray(y, c2);
        b2.intoArray(y, c2 + W);
        a3.intoArray(y, c3);
        b3.intoArray(y, c3 + W);
    }

    @Override
    public void syrkLower(int n, int m, double[] z, int zOff, double[] c, int cOff) {
        if (blas != null) {
            blas.dsyrk("L", "T", n, m, 1.0, z, zOff, m, 1.0, c, cOff, n);
            return;
        }
        int vecEnd = m - m % W;
        for (int a = 0; a < n; a += 2) {
            boolean twoA = a + 1 < n;
            for (int b = 0; b <= a; b += 2) {
                boolean twoB = b + 1 < n && b + 1 <= a + 1;
                int za = zOff + a * m;
                int za1 = twoA ? za + m : za;
                int zb = zOff + b * m;
                int zb1 = twoB ? zb + m : zb;
                DoubleVector s00 = DoubleVector.zero(S);
                DoubleVector s01 = DoubleVector.zero(S);
                DoubleVector s10 = DoubleVector.zero(S);
                DoubleVector s11 = DoubleVector.zero(S);
                for (int i = 0; i < vecEnd; i += W) {
                    DoubleVector va = DoubleVector.fromArray(S, z, za + i);
                    DoubleVector va1 = DoubleVector.fromArray(S, z, za1 + i);
                    DoubleVector vb = DoubleVector.fromArray(S, z, zb + i);
                    DoubleVector vb1 = DoubleVector.fromArray(S, z, zb1 + i);
                    s00 = va.fma(vb, s00);
                    s01 = va.fma(vb1, s01);
                    s10 = va1.fma(vb, s10);
                    s11 = va1.fma(vb1, s11);
                }
                double r00 = sumLanes(s00);
                double r01 = sumLanes(s01);
                double r10 = sumLanes(s10);
                double r11 = sumLanes(s11);
                for (int i = vecEnd; i < m; i++) {
                    r00 += z[za + i] * z[zb + i];
                    r01 += z[za + i] * z[zb1 + i];
                    r10 += z[za1 + i] * z[zb + i];
                    r11 += z[za1 + i] * z[zb1 + i];
                }
                // Entry (row, col) of C with row >= col: (a, b), (a, b+1), (a+1, b), (a+1, b+1).
                c[cOff + a + b * n] += r00;
                if (twoB && b + 1 <= a) {
                    c[cOff + a + (b + 1) * n] += r01;
                }
                if (twoA) {
                    c[cOff + a + 1 + b * n] += r10;
                    if (twoB) {
                        c[cOff + a + 1 + (b + 1) * n] += r11;
                    }
                }
            }
        }
    }

    /** The lanes added first to last: a fixed order, whatever the JIT does. */
    private static double sumLanes(DoubleVector v) {
        double s = v.lane(0);
        for (int i = 1; i < W; i++) {
            s += v.lane(i);
        }
        return s;
    }

    @Override
    public void gemvTransposed(int m, int n, double[] a, int aOff, double[] x, int xOff, double[] y, int yOff) {
        if (blas != null) {
            blas.dgemv("T", m, n, 1.0, a, aOff, m, x, xOff, 1, 1.0, y, yOff, 1);
            return;
        }
        int vecEnd = m - m % W;
        for (int j = 0; j < n; j++) {
            int col = aOff + j * m;
            DoubleVector acc = DoubleVector.zero(S);
            for (int i = 0; i < vecEnd; i += W) {
                acc = DoubleVector.fromArray(S, a, col + i).fma(DoubleVector.fromArray(S, x, xOff + i), acc);
            }
            double s = sumLanes(acc);
            for (int i = vecEnd; i < m; i++) {
                s += a[col + i] * x[xOff + i];
            }
            y[yOff + j] += s;
        }
    }

    @Override
    public void expShifted(double[] v, int off, double[] shift, int len) {
        int end = len - len % W;
        for (int i = 0; i < end; i += W) {
            DoubleVector x = DoubleVector.fromArray(S, v, off + i).sub(DoubleVector.fromArray(S, shift, i));
            VectorMask<Double> tiny = x.compare(VectorOperators.LT, Exp.MIN);
            VectorMask<Double> large = x.compare(VectorOperators.GT, Exp.MAX);
            // n = rint(x / ln 2) lands in the low mantissa bits of x / ln 2 + 1.5·2⁵²: its bits give 2ⁿ below
            // without a double-to-long conversion, which the JIT does not vectorize on every CPU (a
            // lane-by-lane fallback made exp 20 times slower on AVX-512). Exact: |n| ≤ 1023 here.
            DoubleVector shifted = x.fma(Exp.LOG2E, Exp.SHIFTER);
            DoubleVector n = shifted.sub(Exp.SHIFTER);
            DoubleVector r = n.fma(DoubleVector.broadcast(S, -Exp.LN2_HI), x);
            r = n.fma(DoubleVector.broadcast(S, -Exp.LN2_LO), r);
            DoubleVector p = r.fma(C13, C12);
            p = p.fma(r, DoubleVector.broadcast(S, C11));
            p = p.fma(r, DoubleVector.broadcast(S, C10));
            p = p.fma(r, DoubleVector.broadcast(S, C9));
            p = p.fma(r, DoubleVector.broadcast(S, C8));
            p = p.fma(r, DoubleVector.broadcast(S, C7));
            p = p.fma(r, DoubleVector.broadcast(S, C6));
            p = p.fma(r, DoubleVector.broadcast(S, C5));
            p = p.fma(r, DoubleVector.broadcast(S, C4));
            p = p.fma(r, DoubleVector.broadcast(S, C3));
            p = p.fma(r, DoubleVector.broadcast(S, C2));
            p = p.fma(r, DoubleVector.broadcast(S, 1.0));
            p = p.fma(r, DoubleVector.broadcast(S, 1.0));
            LongVector bits = shifted.reinterpretAsLongs().add(1023L).lanewise(VectorOperators.LSHL, 52L);
            DoubleVector e = p.mul(bits.reinterpretAsDoubles()).blend(0.0, tiny);
            if (large.anyTrue()) {
                e.intoArray(v, off + i);
                for (int t = 0; t < W; t++) {
                    if (large.laneIsSet(t)) {
                        v[off + i + t] = Exp.exp(x.lane(t));
                    }
                }
                continue;
            }
            e.intoArray(v, off + i);
        }
        for (int i = end; i < len; i++) {
            v[off + i] = Exp.exp(v[off + i] - shift[i]);
        }
    }

    /**
     * Writes exp(x) to {@code v[at .. at + W)} and returns it: {@link Exp#exp}'s bits in every lane (the lanes
     * above {@link Exp#MAX}, which the polynomial does not cover, by the scalar form). The fused normalization
     * calls it; {@link #expShifted} keeps the polynomial in its own loop, where splitting it into methods
     * measured up to 1.5 times slower (uncommitted harness). Each piece stays under the JIT's inlining limit
     * for hot methods (325 bytes of bytecode): a vector handed to a method that is not inlined is boxed, and a
     * version over that limit made exp 4 times slower.
     */
    private static DoubleVector expInto(DoubleVector x, double[] v, int at) {
        DoubleVector e = expLanes(x);
        e.intoArray(v, at);
        if (x.compare(VectorOperators.GT, Exp.MAX).anyTrue()) {
            return largeLanes(x, v, at);
        }
        return e;
    }

    /** The lanes above {@link Exp#MAX} by the scalar form (rare: exp of more than 708). */
    private static DoubleVector largeLanes(DoubleVector x, double[] v, int at) {
        for (int t = 0; t < W; t++) {
            if (x.lane(t) > Exp.MAX) {
                v[at + t] = Exp.exp(x.lane(t));
            }
        }
        return DoubleVector.fromArray(S, v, at);
    }

    /** {@link Exp#exp}'s polynomial on every lane, 0 below {@link Exp#MIN}; not valid above {@link Exp#MAX}. */
    private static DoubleVector expLanes(DoubleVector x) {
        // n = rint(x / ln 2) lands in the low mantissa bits of x / ln 2 + 1.5·2⁵²: its bits give 2ⁿ below
        // without a double-to-long conversion, which the JIT does not vectorize on every CPU (a
        // lane-by-lane fallback made exp 20 times slower on AVX-512). Exact: |n| ≤ 1023 here.
        DoubleVector shifted = x.fma(Exp.LOG2E, Exp.SHIFTER);
        DoubleVector n = shifted.sub(Exp.SHIFTER);
        DoubleVector r = n.fma(DoubleVector.broadcast(S, -Exp.LN2_HI), x);
        r = n.fma(DoubleVector.broadcast(S, -Exp.LN2_LO), r);
        DoubleVector p = r.fma(C13, C12);
        p = p.fma(r, DoubleVector.broadcast(S, C11));
        p = p.fma(r, DoubleVector.broadcast(S, C10));
        p = p.fma(r, DoubleVector.broadcast(S, C9));
        p = p.fma(r, DoubleVector.broadcast(S, C8));
        p = p.fma(r, DoubleVector.broadcast(S, C7));
        p = p.fma(r, DoubleVector.broadcast(S, C6));
        p = p.fma(r, DoubleVector.broadcast(S, C5));
        p = p.fma(r, DoubleVector.broadcast(S, C4));
        p = p.fma(r, DoubleVector.broadcast(S, C3));
        p = p.fma(r, DoubleVector.broadcast(S, C2));
        p = p.fma(r, DoubleVector.broadcast(S, 1.0));
        p = p.fma(r, DoubleVector.broadcast(S, 1.0));
        LongVector bits = shifted.reinterpretAsLongs().add(1023L).lanewise(VectorOperators.LSHL, 52L);
        return p.mul(bits.reinterpretAsDoubles()).blend(0.0, x.compare(VectorOperators.LT, Exp.MIN));
    }

    /**
     * One group of W rows at a time, every pass over its columns while they are in L1: the maxima, the
     * exponentials and their sums, then the scaling (the pass-by-pass form read and wrote the whole block
     * five times; this one twice). The same operations in the same order, so the same bits.
     */
    @Override
    public void normalizeRows(double[] m, int rows, int cols, double[] out, double[] scratch, double[] shift,
                              double floor) {
        int end = rows - rows % W;
        DoubleVector lowest = DoubleVector.broadcast(S, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < end; i += W) {
            DoubleVector max = lowest;
            for (int c = 0; c < cols; c++) {
                max = max.max(DoubleVector.fromArray(S, m, c * rows + i));
            }
            // A row of -∞ only: exp(-∞ - 0) = 0 for every entry, instead of NaN from (-∞) - (-∞).
            DoubleVector sh = max.blend(0.0, max.compare(VectorOperators.EQ, Double.NEGATIVE_INFINITY));
            DoubleVector sum = DoubleVector.zero(S);
            for (int c = 0; c < cols; c++) {
                int at = c * rows + i;
                sum = sum.add(expInto(DoubleVector.fromArray(S, m, at).sub(sh), m, at));
            }
            max.intoArray(out, i);
            sum.intoArray(scratch, i);
            for (int t = i; t < i + W; t++) {
                double total = scratch[t];
                scratch[t] = total > 0 ? 1.0 / total : 0.0;
                if (out[t] != Double.NEGATIVE_INFINITY) {
                    out[t] += Math.log(total);
                }
            }
            DoubleVector inv = DoubleVector.fromArray(S, scratch, i);
            for (int c = 0; c < cols; c++) {
                int at = c * rows + i;
                DoubleVector r = DoubleVector.fromArray(S, m, at).mul(inv);
                r.blend(0.0, r.compare(VectorOperators.LT, floor)).intoArray(m, at);
            }
        }
        for (int i = end; i < rows; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, m[c * rows + i]);
            }
            double sh = max == Double.NEGATIVE_INFINITY ? 0.0 : max;
            double total = 0;
            for (int c = 0; c < cols; c++) {
                double e = Exp.exp(m[c * rows + i] - sh);
                m[c * rows + i] = e;
                total += e;
            }
            double inv = total > 0 ? 1.0 / total : 0.0;
            out[i] = max == Double.NEGATIVE_INFINITY ? max : max + Math.log(total);
            for (int c = 0; c < cols; c++) {
                double r = m[c * rows + i] * inv;
                m[c * rows + i] = r < floor ? 0.0 : r;
            }
        }
    }
}
