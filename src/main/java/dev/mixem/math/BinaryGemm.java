package dev.mixem.math;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LinearGemm}'s two products for a block of 0/1 cells ({@link BinaryBits}), by table look-ups and adds
 * instead of products:
 * <pre>
 *   scores   S_ic  = init_c + Σ_{j: x_ij = 1} B_jc
 *   moments  F_jc += Σ_{i: x_ij = 1} R_ic
 * </pre>
 * Four cells of 0/1 are a nibble of the bits, one of 16 subsets, so the sum of a row's coefficients over four
 * features is one of 16 precomputed sums (the "four Russians" method). The scores tabulate, for every group of four
 * features, the 16 subset sums of their coefficient rows (each k columns), and a row's score is then init plus one
 * look-up per group of four: d/4 adds of a k-vector per row, against d fused multiply-adds of a k-vector for the
 * dense product, whatever the density. The moments do the same the other way: for every group of four rows, the 16
 * subset sums of their responsibility rows, then per feature one look-up per group of four rows. The block is
 * read as bits (2 a cell, both layouts) instead of 64-bit doubles, and the k columns of a look-up are added as k/W
 * vectors held in registers.
 * <p>
 * Every output is one chain of adds in a fixed order, lane by lane, with no sum across lanes, so it is the same
 * bits on any vector width, compiled or interpreted: a subset sum is its terms added in ascending order
 * (starting from the first term itself), and an output adds the subset sums of its groups in ascending order to
 * its start (init for a score; for the moments 0, the groups running over the call's rows, the sum then added
 * to F). That differs from the dense loops' results in the last bits only (the same terms in another order).
 * One instance per task (its tables); not thread-safe.
 * <p>
 * Coefficient layout ({@link #pack}): feature-major with the k columns padded to a whole number of vectors,
 * {@code coef[j*kp + c]}, kp = {@link #padded}(k), zeros past k.
 */
public final class BinaryGemm {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int W = S.length();
    /** Most vectors of columns held in registers at once (8 of AVX2's 16; more columns take more passes). */
    private static final int MAX_GROUP = 8;
    /** Largest subset-sum table of the scores, in doubles (32 MB). */
    static final long MAX_TABLE_DOUBLES = 4L << 20;
    /** Subsets of a group of four. */
    private static final int SUBSETS = 16;

    private double[] row = new double[0];
    private double[] start = new double[0];
    /** The scores' subset sums, and the coefficients and k they were built from (the same array every chunk). */
    private double[] coefTable = new double[0];
    private double[] tableOf;
    private int tableK = -1;
    /** The moments' subset sums for the rows of one 64-row word, and those rows' responsibilities row-major. */
    private double[] respTable = new double[0];
    private double[] rowsT = new double[0];
    /** The moments' sums of one call, feature-major ({@code sumT[j*kp + c]}), added to F at its end. */
    private double[] sumT = new double[0];
    /** One feature's masked word of bits, as the look-ups read it. */
    private final long[] one = new long[1];

    /**
     * Whether the subset sums of B (4·d·kp doubles, kept per task) stay within {@link #MAX_TABLE_DOUBLES}: wider
     * blocks (tens of thousands of 0/1 columns) take the dense loops.
     */
    public static boolean fits(int d, int k) {
        return 4L * d * padded(k) <= MAX_TABLE_DOUBLES;
    }

    /** k rounded up to a whole number of vectors. */
    public static int padded(int k) {
        return (k + W - 1) / W * W;
    }

    /** B (d x k, column c at {@code b[c*d + j]}) in the layout {@link #scores} reads. */
    public static double[] pack(int d, int k, double[] b) {
        int kp = padded(k);
        double[] out = new double[d * kp];
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < d; j++) {
                out[j * kp + c] = b[c * d + j];
            }
        }
        return out;
    }

    /**
     * {@code out[c*m + i] = init_c + Σ_{j: x_ij = 1} B_jc} for rows [r0, r0 + m) of the block and c < k;
     * {@code coef} from {@link #pack}(d, k, B). The subset sums are built on the first call with this coef array
     * and k, and kept: coef must not change between calls.
     */
    public void scores(BinaryBits bits, int r0, int m, double[] coef, int k, double[] init, double[] out) {
        int d = bits.dim;
        int kp = padded(k);
        int groups = (d + 3) >>> 2;
        if (coef != tableOf || k != tableK) {
            coefTable = subsetSums(coef, kp, 0, d, coefTable);
            tableOf = coef;
            tableK = k;
        }
        buffers(kp);
        java.util.Arrays.fill(start, 0.0);
        System.arraycopy(init, 0, start, 0, k);
        int rw = bits.rowWords;
        for (int i = 0; i < m; i++) {
            int w0 = (r0 + i) * rw;
            sums(coefTable, bits.byRow, w0, groups, start, row, 0, kp);
            for (int c = 0; c < k; c++) {
                out[c * m + i] = row[c];
            }
        }
    }

    /**
     * {@code f[c*d + j] += Σ_{i: x_ij = 1} R_ic} over rows [r0, r0 + m) of the block; R is m x k
     * ({@code resp[c*m + i]}), f d x k column by column. The rows go a 64-row word of the bits at a time: the
     * word's 16 x 16 subset sums (16 · 16 · kp doubles: 40 KB at k = 20) are built, then every feature adds its 16
     * look-ups to its running sum for the call (one chain from 0 over the words in order, kept feature-major),
     * and the running sums are added to F at the end. (Adding each word's sums to F column by column instead cost
     * 12% more on one core of the AMD EPYC, d = 100, k = 20; uncommitted harness. Half-word slices, whose subset
     * sums fit L1, cost 15-30% more: twice the calls for the same look-ups.)
     */
    public void moments(BinaryBits bits, int r0, int m, double[] resp, int k, double[] f) {
        int d = bits.dim;
        int kp = padded(k);
        if (sumT.length < d * kp) {
            sumT = new double[d * kp];
        }
        java.util.Arrays.fill(sumT, 0, d * kp, 0.0);
        int cw = bits.colWords;
        int end = r0 + m;
        for (int w = r0 >>> 6; w << 6 < end; w++) {
            int lo = Math.max(r0, w << 6);
            int hi = Math.min(end, (w << 6) + 64);
            respTable = respSubsetSums(resp, m, r0, w << 6, lo, hi, k, kp, respTable);
            long keep = (hi - (w << 6) == 64 ? -1L : (1L << (hi - (w << 6))) - 1) & (-1L << (lo - (w << 6)));
            int groups = (hi - (w << 6) + 3) >>> 2;
            for (int j = 0; j < d; j++) {
                one[0] = bits.byCol[j * cw + w] & keep;
                sums(respTable, one, 0, groups, sumT, sumT, j * kp, kp);
            }
        }
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < d; j++) {
                f[c * d + j] += sumT[j * kp + c];
            }
        }
    }

    private void buffers(int kp) {
        if (row.length < kp) {
            row = new double[kp];
            start = new double[kp];
        }
    }

    /**
     * For every group g of four of the rows [from, to) of v (row r at {@code v[r*kp ..]}), the 16 subset sums
     * {@code t[(g*16 + s)*kp + c] = Σ_{b in s} v[(from + 4g + b)*kp + c]}, terms ascending; rows past {@code to}
     * count as 0.
     */
    private static double[] subsetSums(double[] v, int kp, int from, int to, double[] t) {
        int groups = (to - from + 3) >>> 2;
        int size = groups * SUBSETS * kp;
        if (t.length < size) {
            t = new double[size];
        }
        DoubleVector zero = DoubleVector.zero(S);
        for (int g = 0; g < groups; g++) {
            int base = g * SUBSETS * kp;
            for (int c = 0; c < kp; c += W) {
                zero.intoArray(t, base + c);
            }
            for (int s = 1; s < SUBSETS; s++) {
                int high = 31 - Integer.numberOfLeadingZeros(s);
                int r = from + 4 * g + high;
                int prev = base + (s ^ (1 << high)) * kp;
                int at = base + s * kp;
                if (r >= to) {
                    for (int c = 0; c < kp; c += W) {
                        DoubleVector.fromArray(S, t, prev + c).intoArray(t, at + c);
                    }
                } else if (s == 1 << high) {
                    for (int c = 0; c < kp; c += W) {
                        DoubleVector.fromArray(S, v, r * kp + c).intoArray(t, at + c);
                    }
                } else {
                    for (int c = 0; c < kp; c += W) {
                        DoubleVector.fromArray(S, t, prev + c).add(DoubleVector.fromArray(S, v, r * kp + c))
                                .intoArray(t, at + c);
                    }
                }
            }
        }
        return t;
    }

    /**
     * The subset sums of the responsibilities of rows [64w, 64w + 64) ({@code wordStart} = 64w), rows outside
     * [lo, hi) as 0: R's rows [lo, hi) row-major, then {@link #subsetSums}.
     */
    private double[] respSubsetSums(double[] resp, int m, int r0, int wordStart, int lo, int hi, int k, int kp,
                                    double[] t) {
        if (rowsT.length < 64 * kp) {
            rowsT = new double[64 * kp];
        }
        java.util.Arrays.fill(rowsT, 0, 64 * kp, 0.0);
        for (int c = 0; c < k; c++) {
            int o = c * m - r0;
            for (int r = lo; r < hi; r++) {
                rowsT[(r - wordStart) * kp + c] = resp[o + r];
            }
        }
        return subsetSums(rowsT, kp, 0, hi - wordStart, t);
    }

    /**
     * {@code dst[base + c] = from[base + c] + Σ_{g < cnt} src[(16g + nibble_g)*kp + c]} for c < kp, nibble g of
     * the bits at {@code words[w0 ..]} (bits 4g to 4g + 3 of the 64-bit words in order), in ascending order; up to
     * {@link #MAX_GROUP} vectors of columns a pass. One method per number of vectors (sum1 to sum8, alike but for
     * their count): C2 keeps a Vector API value in a register only as a local of its own, so the accumulators
     * cannot be an array, and one fixed count would either waste adds on padding or spill.
     */
    private static void sums(double[] src, long[] words, int w0, int cnt, double[] from, double[] dst, int base,
                             int kp) {
        int vectors = kp / W;
        for (int v = 0; v < vectors; ) {
            int g = Math.min(MAX_GROUP, vectors - v);
            int off = v * W;
            switch (g) {
                case 1 -> sum1(src, words, w0, cnt, kp, from, dst, base, off);
                case 2 -> sum2(src, words, w0, cnt, kp, from, dst, base, off);
                case 3 -> sum3(src, words, w0, cnt, kp, from, dst, base, off);
                case 4 -> sum4(src, words, w0, cnt, kp, from, dst, base, off);
                case 5 -> sum5(src, words, w0, cnt, kp, from, dst, base, off);
                case 6 -> sum6(src, words, w0, cnt, kp, from, dst, base, off);
                case 7 -> sum7(src, words, w0, cnt, kp, from, dst, base, off);
                default -> sum8(src, words, w0, cnt, kp, from, dst, base, off);
            }
            v += g;
        }
    }

    private static void sum1(double[] src, long[] words, int w0, int cnt, int kp, double[] start, double[] dst,
                             int base, int off) {
        DoubleVector a0 = DoubleVector.fromArray(S, start, base + off);
        for (int t = 0; t < cnt; t++) {
            int o = ((t << 4) + ((int) (words[w0 + (t >>> 4)] >>> ((t & 15) << 2)) & 15)) * kp + off;
            a0 = a0.add(DoubleVector.fromArray(S, src, o));
        }
        a0.intoArray(dst, base + off);
    }

    private static void sum2(double[] src, long[] words, int w0, int cnt, int kp, double[] start, double[] dst,
                             int base, int off) {
        DoubleVector a0 = DoubleVector.fromArray(S, start, base + off);
        DoubleVector a1 = DoubleVector.fromArray(S, start, base + off + W);
        for (int t = 0; t < cnt; t++) {
            int o = ((t << 4) + ((int) (words[w0 + (t >>> 4)] >>> ((t & 15) << 2)) & 15)) * kp + off;
            a0 = a0.add(DoubleVector.fromArray(S, src, o));
            a1 = a1.add(DoubleVector.fromArray(S, src, o + W));
        }
        a0.intoArray(dst, base + off);
        a1.intoArray(dst, base + off + W);
    }

    private static void sum3(double[] src, long[] words, int w0, int cnt, int kp, double[] start, double[] dst,
                             int base, int off) {
        DoubleVector a0 = DoubleVector.fromArray(S, start, base + off);
        DoubleVector a1 = DoubleVector.fromArray(S, start, base + off + W);
        DoubleVector a2 = DoubleVector.fromArray(S, start, base + off + 2 * W);
        for (int t = 0; t < cnt; t++) {
            int o = ((t << 4) + ((int) (words[w0 + (t >>> 4)] >>> ((t & 15) << 2)) & 15)) * kp + off;
            a0 = a0.add(DoubleVector.fromArray(S, src, o));
            a1 = a1.add(DoubleVector.fromArray(S, src, o + W));
            a2 = a2.add(DoubleVector.fromArray(S, src, o + 2 * W));
        }
        a0.intoArray(dst, base + off);
        a1.intoArray(dst, base + off + W);
        a2.intoArray(dst, base + off + 2 * W);
    }

    private static void sum4(double[] src, long[] words, int w0, int cnt, int kp, double[] start, double[] dst,
                             int base, int off) {
        DoubleVector a0 = DoubleVector.fromArray(S, start, base + off);
        DoubleVector a1 = DoubleVector.fromArray(S, start, base + off + W);
        DoubleVector a2 = DoubleVector.fromArray(S, start, base + off + 2 * W);
        DoubleVector a3 = DoubleVector.fromArray(S, start, base + off + 3 * W);
        for (int t = 0; t < cnt; t++) {
            int o = ((t << 4) + ((int) (words[w0 + (t >>> 4)] >>> ((t & 15) << 2)) & 15)) * kp + off;
            a0 = a0.add(DoubleVector.fromArray(S, src, o));
            a1 = a1.add(DoubleVector.fromArray(S, src, o + W));
            a2 = a2.add(DoubleVector.fromArray(S, src, o + 2 * W));
            a3 = a3.add(DoubleVector.fromArray(S, src, o + 3 * W));
        }
        a0.intoArray(dst, base + off);
        a1.intoArray(dst, base + off + W);
        a2.intoArray(dst, base + off + 2 * W);
        a3.intoArray(dst, base + off + 3 * W);
    }

    private static void sum5(double[] src, long[] words, int w0, int cnt, int kp, double[] start, double[] dst,
                             int base, int off) {
        DoubleVector a0 = DoubleVector.fromArray(S, start, base + off);
        DoubleVector a1 = DoubleVector.fromArray(S, start, base + off + W);
        DoubleVector a2 = DoubleVector.fromArray(S, start, base + off + 2 * W);
        DoubleVector a3 = DoubleVector.fromArray(S, start, base + off + 3 * W);
        DoubleVector a4 = DoubleVector.fromArray(S, start, base + off + 4 * W);
        for (int t = 0; t < cnt; t++) {
            int o = ((t << 4) + ((int) (words[w0 + (t >>> 4)] >>> ((t & 15) << 2)) & 15)) * kp + off;
            a0 = a0.add(DoubleVector.fromArray(S, src, o));
            a1 = a1.add(DoubleVector.fromArray(S, src, o + W));
            a2 = a2.add(DoubleVector.fromArray(S, src, o + 2 * W));
            a3 = a3.add(DoubleVector.fromArray(S, src, o + 3 * W));
            a4 = a4.add(DoubleVector.fromArray(S, src, o + 4 * W));
        }
        a0.intoArray(dst, base + off);
        a1.intoArray(dst, base + off + W);
        a2.intoArray(dst, base + off + 2 * W);
        a3.intoArray(dst, base + off + 3 * W);
        a4.intoArray(dst, base + off + 4 * W);
    }

    private static void sum6(double[] src, long[] words, int w0, int cnt, int kp, double[] start, double[] dst,
                             int base, int off) {
        DoubleVector a0 = DoubleVector.fromArray(S, start, base + off);
        DoubleVector a1 = DoubleVector.fromArray(S, start, base + off + W);
        DoubleVector a2 = DoubleVector.fromArray(S, start, base + off + 2 * W);
        DoubleVector a3 = DoubleVector.fromArray(S, start, base + off + 3 * W);
        DoubleVector a4 = DoubleVector.fromArray(S, start, base + off + 4 * W);
        DoubleVector a5 = DoubleVector.fromArray(S, start, base + off + 5 * W);
        for (int t = 0; t < cnt; t++) {
            int o = ((t << 4) + ((int) (words[w0 + (t >>> 4)] >>> ((t & 15) << 2)) & 15)) * kp + off;
            a0 = a0.add(DoubleVector.fromArray(S, src, o));
            a1 = a1.add(DoubleVector.fromArray(S, src, o + W));
            a2 = a2.add(DoubleVector.fromArray(S, src, o + 2 * W));
            a3 = a3.add(DoubleVector.fromArray(S, src, o + 3 * W));
            a4 = a4.add(DoubleVector.fromArray(S, src, o + 4 * W));
            a5 = a5.add(DoubleVector.fromArray(S, src, o + 5 * W));
        }
        a0.intoArray(dst, base + off);
        a1.intoArray(dst, base + off + W);
        a2.intoArray(dst, base + off + 2 * W);
        a3.intoArray(dst, base + off + 3 * W);
        a4.intoArray(dst, base + off + 4 * W);
        a5.intoArray(dst, base + off + 5 * W);
    }

    private static void sum7(double[] src, long[] words, int w0, int cnt, int kp, double[] start, double[] dst,
                             int base, int off) {
        DoubleVector a0 = DoubleVector.fromArray(S, start, base + off);
        DoubleVector a1 = DoubleVector.fromArray(S, start, base + off + W);
        DoubleVector a2 = DoubleVector.fromArray(S, start, base + off + 2 * W);
        DoubleVector a3 = DoubleVector.fromArray(S, start, base + off + 3 * W);
        DoubleVector a4 = DoubleVector.fromArray(S, start, base + off + 4 * W);
        DoubleVector a5 = DoubleVector.fromArray(S, start, base + off + 5 * W);
        DoubleVector a6 = DoubleVector.fromArray(S, start, base + off + 6 * W);
        for (int t = 0; t < cnt; t++) {
            int o = ((t << 4) + ((int) (words[w0 + (t >>> 4)] >>> ((t & 15) << 2)) & 15)) * kp + off;
            a0 = a0.add(DoubleVector.fromArray(S, src, o));
            a1 = a1.add(DoubleVector.fromArray(S, src, o + W));
            a2 = a2.add(DoubleVector.fromArray(S, src, o + 2 * W));
            a3 = a3.add(DoubleVector.fromArray(S, src, o + 3 * W));
            a4 = a4.add(DoubleVector.fromArray(S, src, o + 4 * W));
            a5 = a5.add(DoubleVector.fromArray(S, src, o + 5 * W));
            a6 = a6.add(DoubleVector.fromArray(S, src, o + 6 * W));
        }
        a0.intoArray(dst, base + off);
        a1.intoArray(dst, base + off + W);
        a2.intoArray(dst, base + off + 2 * W);
        a3.intoArray(dst, base + off + 3 * W);
        a4.intoArray(dst, base + off + 4 * W);
        a5.intoArray(dst, base + off + 5 * W);
        a6.intoArray(dst, base + off + 6 * W);
    }

    private static void sum8(double[] src, long[] words, int w0, int cnt, int kp, double[] start, double[] dst,
                             int base, int off) {
        DoubleVector a0 = DoubleVector.fromArray(S, start, base + off);
        DoubleVector a1 = DoubleVector.fromArray(S, start, base + off + W);
        DoubleVector a2 = DoubleVector.fromArray(S, start, base + off + 2 * W);
        DoubleVector a3 = DoubleVector.fromArray(S, start, base + off + 3 * W);
        DoubleVector a4 = DoubleVector.fromArray(S, start, base + off + 4 * W);
        DoubleVector a5 = DoubleVector.fromArray(S, start, base + off + 5 * W);
        DoubleVector a6 = DoubleVector.fromArray(S, start, base + off + 6 * W);
        DoubleVector a7 = DoubleVector.fromArray(S, start, base + off + 7 * W);
        for (int t = 0; t < cnt; t++) {
            int o = ((t << 4) + ((int) (words[w0 + (t >>> 4)] >>> ((t & 15) << 2)) & 15)) * kp + off;
            a0 = a0.add(DoubleVector.fromArray(S, src, o));
            a1 = a1.add(DoubleVector.fromArray(S, src, o + W));
            a2 = a2.add(DoubleVector.fromArray(S, src, o + 2 * W));
            a3 = a3.add(DoubleVector.fromArray(S, src, o + 3 * W));
            a4 = a4.add(DoubleVector.fromArray(S, src, o + 4 * W));
            a5 = a5.add(DoubleVector.fromArray(S, src, o + 5 * W));
            a6 = a6.add(DoubleVector.fromArray(S, src, o + 6 * W));
            a7 = a7.add(DoubleVector.fromArray(S, src, o + 7 * W));
        }
        a0.intoArray(dst, base + off);
        a1.intoArray(dst, base + off + W);
        a2.intoArray(dst, base + off + 2 * W);
        a3.intoArray(dst, base + off + 3 * W);
        a4.intoArray(dst, base + off + 4 * W);
        a5.intoArray(dst, base + off + 5 * W);
        a6.intoArray(dst, base + off + 6 * W);
        a7.intoArray(dst, base + off + 7 * W);
    }
}
