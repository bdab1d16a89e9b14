package dev.mixem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.bench.Benchmark;

/** The JSON that {@code bench --output} writes. */
public final class BenchJson {

    private BenchJson() {
    }

    public static String of(Benchmark.Result r) throws Exception {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode n = m.createObjectNode();
        Benchmark.Options o = r.options();
        n.put("rows", o.rows());
        n.put("dim", o.dim());
        n.put("k", o.k());
        n.put("family", o.family().serializedName());
        if (o.family() == dev.mixem.config.Family.GAUSSIAN) {
            n.put("covariance", o.covariance().serializedName());
        }
        if (o.factors() > 0) {
            n.put("factors", o.factors());
        }
        n.put("iterations", o.iterations());
        n.put("partitions", o.partitions());
        n.put("rounds", o.rounds());
        n.put("scale", o.scale());
        n.put("seed", o.seed());
        n.put("cores", r.cores());
        n.put("blas", r.blas());
        n.put("kernels", r.kernels());
        n.put("mixemSecondsPerIteration", r.mixemSecondsPerIteration());
        putNumber(n, "mllibSecondsPerIteration", r.mllibSecondsPerIteration());
        putNumber(n, "speedup", r.speedup());
        n.put("flopsPerIteration", r.flopsPerIteration());
        n.put("mixemGflops", r.mixemGflops());
        n.put("gemmGflops", r.gemmGflops());
        n.put("gemmFraction", r.gemmFraction());
        putNumber(n, "jvmGemmGflops", r.jvmGemmGflops());
        n.put("regCovar", o.effectiveRegCovar());
        if (o.input() != null) {
            n.put("input", o.input().path());
        }
        n.put("mixemAvgLogLikelihood", r.mixemAvgLogLikelihood());
        putNumber(n, "mllibAvgLogLikelihood", r.mllibAvgLogLikelihood());
        putNumber(n, "logLikelihoodRelativeDifference", r.logLikelihoodRelativeDifference());
        n.put("mllibIterations", r.mllibIterations());
        n.put("mllibUnderflow", r.mllibUnderflow());
        n.put("cacheBytes", r.cacheBytes());
        n.put("rawBytes", r.rawBytes());
        n.put("peakHeapBytes", r.peakHeapBytes());
        n.put("statsBytesPerPartition", r.statsBytesPerPartition());
        r.mixemIterationSeconds().forEach(n.putArray("mixemIterationSeconds")::add);
        r.mllibIterationSeconds().forEach(n.putArray("mllibIterationSeconds")::add);
        return m.writeValueAsString(n) + "\n";
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isNaN(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }
}
