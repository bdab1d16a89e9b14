package dev.mixem.job;

import dev.mixem.config.CovarianceType;
import dev.mixem.data.ResourceLimitException;
import dev.mixem.family.gaussian.GaussianStats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a fit will hold and send, estimated from the shape of the problem before any row is read, against
 * the memory it was given; what cannot fit stops the fit in seconds with the reason and what to change, instead
 * of an {@code OutOfMemoryError} or Spark's maxResultSize failure minutes later.
 * <ul>
 * <li><b>Each pass's results</b>: every partition sends one statistic (packed:
 * {@link GaussianStats#travellingDoubles}) and the driver receives min(P, fanIn) of them at once (P / fanIn
 * after the executors' merge when P &gt; fanIn), against {@code spark.driver.maxResultSize}.</li>
 * <li><b>The driver</b>: those results, serialized and deserialized, the merged statistic and the parameters
 * (about three k·d² arrays for full covariance) against its heap.</li>
 * <li><b>An executor</b>: per running task the unpacked statistic and a block's work space, plus the broadcast
 * parameters once, against its heap less Spark's 300 MB reserve.</li>
 * <li><b>The initialization sample</b> collected on the driver (rows x (d + 1) doubles, twice for collecting).</li>
 * <li><b>The cached blocks</b> (rows x (d + 1) doubles) against the executors' storage memory: beyond it
 * Spark keeps the rest on local disk (MEMORY_AND_DISK), which works but reads the disk every iteration, so it
 * is a warning, not a stop.</li>
 * </ul>
 * Pure arithmetic: {@link #check} needs no Spark.
 */
public final class ResourcePlan {
    /** Spark's reserved system memory per JVM (ReservedMemory in UnifiedMemoryManager). */
    static final long RESERVED = 300L << 20;

    private ResourcePlan() {
    }

    /** The problem: rows (-1 when not known before reading), features, components, structure, partitions. */
    public record Shape(long rows, int dim, int k, CovarianceType type, int partitions, int fanIn, int blockRows,
                        long sampleRows, int factors, boolean sparse) {
        /** A structure without factors. */
        public Shape(long rows, int dim, int k, CovarianceType type, int partitions, int fanIn, int blockRows,
                     long sampleRows) {
            this(rows, dim, k, type, partitions, fanIn, blockRows, sampleRows, 0, false);
        }

        /** Dense rows. */
        public Shape(long rows, int dim, int k, CovarianceType type, int partitions, int fanIn, int blockRows,
                     long sampleRows, int factors) {
            this(rows, dim, k, type, partitions, fanIn, blockRows, sampleRows, factors, false);
        }
    }

    /**
     * The memory given: driver heap, {@code spark.driver.maxResultSize} (0: unlimited), one executor's heap and
     * task slots (in local mode the driver's), and the executors' total storage memory (-1: not known).
     */
    public record Resources(long driverHeap, long maxResultSize, long executorHeap, int executorCores,
                            long storageMemory, boolean local) {
    }

    /** What was found: {@code fatal} problems stop the fit, the others are warnings for the log. */
    public record Finding(boolean fatal, String message) {
    }

    public static List<Finding> check(Shape s, Resources r) {
        List<Finding> out = new ArrayList<>();
        int k = s.k();
        int d = s.dim();
        long travelling = 8 * GaussianStats.travellingDoubles(k, d, s.type(), s.factors()) + 512;
        long second = s.type() == CovarianceType.FULL ? (long) k * d * d
                : s.type() == CovarianceType.TIED ? (long) d * d : (long) k * s.type().statsStride(d, s.factors());
        long unpacked = 8 * ((long) k + (long) k * d + second + 3);
        long params = 8 * paramDoubles(k, d, s.type(), s.factors());
        int atOnce = s.partitions() <= s.fanIn() ? s.partitions() : (s.partitions() + s.fanIn() - 1) / s.fanIn();
        long results = atOnce * travelling;
        String what = String.format(Locale.ROOT, "k=%d, %s covariance, %d features", k, s.type().serializedName(), d);
        String smaller = smaller(s);

        if (r.maxResultSize() > 0 && results > r.maxResultSize()) {
            StringBuilder change = new StringBuilder(smaller);
            long fitting = r.maxResultSize() / travelling;
            if (fitting >= 1) {
                change.append(String.format(Locale.ROOT, "; fewer partitions (--partitions %d sends %s)", fitting,
                        bytes(fitting * travelling)));
            }
            if (results < r.driverHeap() / 4) {
                change.append("; or raise --conf spark.driver.maxResultSize=").append(roundUp(results * 5 / 4));
            }
            out.add(new Finding(true, String.format(Locale.ROOT, "each pass would send the driver %s of %s (%s)"
                            + " = %s, above spark.driver.maxResultSize = %s. Change one of: %s",
                    count(atOnce, "statistic"), bytes(travelling), what, bytes(results), bytes(r.maxResultSize()),
                    change)));
        }
        long driverNeed = 2 * results + unpacked + 3 * params;
        if (driverNeed > r.driverHeap() - RESERVED / 2) {
            out.add(new Finding(true, String.format(Locale.ROOT, "the driver would hold about %s per pass (%s"
                            + " of %s as received and as objects, the merged statistic %s and the parameters"
                            + " %s; %s), more than its heap of %s. Change one of: %s; fewer partitions; or more driver"
                            + " memory (--driver-memory %s)",
                    bytes(driverNeed), count(atOnce, "statistic"), bytes(travelling), bytes(unpacked), bytes(3 * params), what,
                    bytes(r.driverHeap()), smaller, roundUp(driverNeed * 3 / 2 + RESERVED))));
        }
        // Sparse: the kernels' feature-major sums (4 k x d arrays) and a chunk's scores, not the rows.
        long block = s.sparse() ? 8L * (4L * k * d + 2L * s.blockRows() * k) : 8L * s.blockRows() * (3L * d + 2L * k);
        long perTask = unpacked + block;
        long executorNeed = r.executorCores() * perTask + params;
        if (executorNeed > r.executorHeap() - RESERVED) {
            out.add(new Finding(true, String.format(Locale.ROOT, "an executor would hold about %s (%d running tasks"
                            + " with a statistic of %s and a block's work space of %s each, and the parameters %s; %s),"
                            + " more than its heap of %s less Spark's 300 MB reserve. Change one of: %s; fewer cores per"
                            + " executor; or more executor memory (%s %s)",
                    bytes(executorNeed), r.executorCores(), bytes(unpacked), bytes(block), bytes(params), what,
                    bytes(r.executorHeap()), smaller, r.local() ? "--driver-memory" : "--executor-memory",
                    roundUp(executorNeed * 3 / 2 + RESERVED))));
        }
        long sampleRows = s.rows() >= 0 ? Math.min(s.rows(), s.sampleRows()) : s.sampleRows();
        long sample = 2 * 8 * sampleRows * (d + 1L);
        if (sample > (r.driverHeap() - RESERVED / 2) / 2) {
            out.add(new Finding(true, String.format(Locale.ROOT, "the initialization sample of %d rows x %d"
                            + " features would take about %s on the driver, more than half its heap of %s. Use"
                            + " --init kmeans-parallel (it runs on the executors) or more driver memory"
                            + " (--driver-memory %s)",
                    sampleRows, d, bytes(sample), bytes(r.driverHeap()), roundUp(4 * sample + RESERVED))));
        }
        if (s.rows() >= 0 && r.storageMemory() > 0 && !s.sparse()) {
            long cached = 8 * s.rows() * (d + 1L);
            if (cached > r.storageMemory()) {
                out.add(new Finding(false, String.format(Locale.ROOT, "the cached blocks will take about %s (%d"
                                + " rows x %d features, dense), more than the executors' storage memory of %s: Spark keeps"
                                + " the rest on local disk and every iteration reads it from there. More executor memory"
                                + " or executors keep it in memory",
                        bytes(cached), s.rows(), d, bytes(r.storageMemory()))));
            }
        }
        return out;
    }

    /** Throws the fatal findings (all of them, one per line) and hands the warnings to {@code warn}. */
    public static void enforce(List<Finding> findings, java.util.function.Consumer<String> warn) {
        List<String> fatal = new ArrayList<>();
        for (Finding f : findings) {
            if (f.fatal()) {
                fatal.add(f.message());
            } else {
                warn.accept(f.message());
            }
        }
        if (!fatal.isEmpty()) {
            // The first limit is the telling one; the others usually follow from the same cause.
            throw new ResourceLimitException(fatal.get(0) + (fatal.size() > 1
                    ? " (" + count(fatal.size() - 1, "further limit") + " exceeded as well)" : ""));
        }
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** Doubles of the parameters as the kernels hold them (weights, means, covariances and their factors). */
    static long paramDoubles(int k, int d, CovarianceType type, int q) {
        long dd = (long) d * d;
        return switch (type) {
            case FULL -> k + (long) k * d + 2L * k * dd;
            case TIED -> k + (long) k * d + 2L * dd;
            case DIAG -> k + 3L * k * d;
            case SPHERICAL -> k + (long) k * d + 2L * k;
            // Means, Ψ and Λ, and the scorer's ψ⁻¹, W and the q x q factor.
            case FACTOR -> k + (long) k * d + (long) k * type.paramLength(1, d, q) + (long) k * type.factorStride(d, q);
        };
    }

    private static String smaller(ResourcePlan.Shape s) {
        List<String> opts = new ArrayList<>();
        if (s.type() == CovarianceType.FULL || s.type() == CovarianceType.TIED) {
            opts.add(String.format(Locale.ROOT, "--covariance diag (%s a statistic)",
                    bytes(8 * GaussianStats.travellingDoubles(s.k(), s.dim(), CovarianceType.DIAG))));
        }
        if (s.k() > 1) {
            opts.add("fewer components (--k)");
        }
        opts.add("fewer features");
        return String.join(", ", opts);
    }

    /** Rounds a byte count up to a whole number of gigabytes (at least 1g), as Spark's size options take it. */
    static String roundUp(long b) {
        return Math.max(1, (b + (1L << 30) - 1) >> 30) + "g";
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MB", b / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KB", b / 1024.0);
    }
}
