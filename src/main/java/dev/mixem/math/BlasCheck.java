package dev.mixem.math;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Whether a BLAS (and LAPACK) gives the same bits for the same numbers wherever they sit in memory and
 * however often it is called: the routines mixem calls (dtrsm, dsyrk, dgemv, dtrmm, dgemm, dpotri), on odd shapes
 * that split into full and partial panels, run twice, then with input and output shifted by 0 to 7 doubles
 * each, so that they meet every pair of alignments modulo 64 bytes whatever the arrays' addresses, and
 * then from several threads at once, as a Spark executor's tasks call it (a multithreaded BLAS may split
 * the work of concurrent calls differently). Some native builds are not: OpenBLAS's generic kernels,
 * chosen when it does not recognise the CPU, have given different results for the same fit on
 * identical runs. Such a library would break mixem's bit-identical fits and its recovery from lost
 * executors, so {@link Linalg} does not use it.
 */
public final class BlasCheck {
    private static final int M = 1031;
    private static final int D = 41;

    private BlasCheck() {
    }

    /** The first routine whose bits depend on memory offset or on the call, or null when none does. */
    public static String firstIrreproducible(BLAS blas, LAPACK lapack) {
        SplittableRandom rng = new SplittableRandom(20261129L);
        double[] y = random(rng, M * D);
        double[] l = lowerFactor(rng);
        double[] x = random(rng, M);
        String[] names = {"dtrsm", "dsyrk", "dgemv", "dtrmm", "dgemm", "dpotri"};
        for (String name : names) {
            double[] a = run(name, blas, lapack, y, l, x, 0);
            if (!Arrays.equals(a, run(name, blas, lapack, y, l, x, 0))) {
                return name;
            }
            // Every combination of the operands' alignments modulo 64 bytes.
            int combos = name.equals("dpotri") ? 8 : name.equals("dgemv") ? 512 : 64;
            for (int s = 0; s < combos; s++) {
                if (!Arrays.equals(a, run(name, blas, lapack, y, l, x, s))) {
                    return name;
                }
            }
            if (!sameWhenConcurrent(a, name, blas, lapack, y, l, x)) {
                return name;
            }
        }
        return null;
    }

    /** The routine from as many threads as there are cores (at least 2) at once, each call checked. */
    private static boolean sameWhenConcurrent(double[] expected, String name, BLAS blas, LAPACK lapack, double[] y,
                                              double[] l, double[] x) {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        java.util.concurrent.atomic.AtomicBoolean same = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int shifts = 37 * t + 11;
            workers[t] = new Thread(() -> {
                try {
                    start.await();
                    for (int rep = 0; rep < 4 && same.get(); rep++) {
                        if (!Arrays.equals(expected, run(name, blas, lapack, y, l, x, shifts))) {
                            same.set(false);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    same.set(false);
                }
            }, "mixem-blas-check-" + t);
            workers[t].setDaemon(true);
            workers[t].start();
        }
        start.countDown();
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return same.get();
    }

    /**
     * The routine on copies of its operands, each placed 0 to 7 doubles into its array: the first operand
     * by {@code shifts % 8}, the output (or second operand) by {@code shifts / 8 % 8}, a third by
     * {@code shifts / 64 % 8}.
     */
    private static double[] run(String name, BLAS blas, LAPACK lapack, double[] y0, double[] l0, double[] x0,
                                int shifts) {
        int s1 = shifts % 8;
        int s2 = shifts / 8 % 8;
        switch (name) {
            case "dtrsm" -> {
                double[] l = shifted(l0, s1);
                double[] y = shifted(y0, s2);
                blas.dtrsm("R", "L", "T", "N", M, D, 1.0, l, s1, D, y, s2, M);
                return Arrays.copyOfRange(y, s2, s2 + M * D);
            }
            case "dsyrk" -> {
                double[] y = shifted(y0, s1);
                double[] c = new double[s2 + D * D];
                blas.dsyrk("L", "T", D, M, 1.0, y, s1, M, 1.0, c, s2, D);
                return Arrays.copyOfRange(c, s2, s2 + D * D);
            }
            case "dgemv" -> {
                int s3 = shifts / 64 % 8;
                double[] y = shifted(y0, s1);
                double[] x = shifted(x0, s3);
                double[] out = new double[s2 + D];
                blas.dgemv("T", M, D, 1.0, y, s1, M, x, s3, 1, 1.0, out, s2, 1);
                return Arrays.copyOfRange(out, s2, s2 + D);
            }
            case "dgemm" -> {
                // The factor kernel's two shapes: rows times a narrow matrix, and rows' transpose times rows.
                double[] y = shifted(y0, s1);
                double[] l = shifted(l0, s1);
                double[] out = new double[s2 + M * D + D * D];
                blas.dgemm("N", "N", M, D, D, 1.0, y, s1, M, l, s1, D, 0.0, out, s2, M);
                blas.dgemm("T", "N", D, D, M, 1.0, y, s1, M, y, s1, M, 1.0, out, s2 + M * D, D);
                return Arrays.copyOfRange(out, s2, s2 + M * D + D * D);
            }
            case "dtrmm" -> {
                double[] l = shifted(l0, s1);
                double[] sq = new double[s2 + D * D];
                System.arraycopy(y0, 0, sq, s2, D * D);
                blas.dtrmm("L", "L", "N", "N", D, D, 1.0, l, s1, D, sq, s2, D);
                blas.dtrmm("R", "L", "T", "N", D, D, 1.0, l, s1, D, sq, s2, D);
                return Arrays.copyOfRange(sq, s2, s2 + D * D);
            }
            default -> {
                double[] l = shifted(l0, s1);
                intW info = new intW(0);
                lapack.dpotri("L", D, l, s1, D, info);
                double[] out = Arrays.copyOfRange(l, s1, s1 + D * D);
                return info.val == 0 ? out : new double[]{info.val};
            }
        }
    }

    private static double[] shifted(double[] v, int shift) {
        double[] out = new double[v.length + shift];
        System.arraycopy(v, 0, out, shift, v.length);
        return out;
    }

    private static double[] random(SplittableRandom rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 2 * rng.nextDouble() - 1;
        }
        return v;
    }

    /** A well-conditioned lower-triangular D x D factor (column-major), its diagonal in [1, 2). */
    private static double[] lowerFactor(SplittableRandom rng) {
        double[] l = new double[D * D];
        for (int j = 0; j < D; j++) {
            l[j + j * D] = 1 + rng.nextDouble();
            for (int i = j + 1; i < D; i++) {
                l[i + j * D] = 0.1 * (2 * rng.nextDouble() - 1);
            }
        }
        return l;
    }
}
