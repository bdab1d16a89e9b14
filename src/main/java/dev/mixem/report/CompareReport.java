package dev.mixem.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.fit.Comparison;
import dev.mixem.config.FitMethod;
import dev.mixem.fit.TraceEntry;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code compare}'s outputs: {@code compare.json} (the numbers) and {@code report.html} (the same numbers
 * as tables, and charts drawn by JFreeChart, embedded as PNG so that the page needs no network).
 */
public final class CompareReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};

    private CompareReport() {
    }

    public static String json(Comparison.Outcome out, Map<String, Object> data) {
        ObjectNode root = JSON.createObjectNode();
        root.set("data", JSON.valueToTree(data));
        root.put("targetGap", Comparison.TARGET_GAP);
        root.put("bestAvgLogLikelihood", out.bestAvgLogLikelihood());
        ObjectNode methods = root.putObject("methods");
        for (Comparison.MethodOutcome m : out.methods()) {
            ObjectNode n = methods.putObject(m.options().method().serializedName());
            n.put("finalAvgLogLikelihood", m.finalAvgLogLikelihood());
            putNullable(n, "passesToTarget", m.passesToTarget());
            putNullable(n, "secondsToTarget", m.secondsToTarget());
            n.put("likelihoodDecreases", m.likelihoodDecreases());
            n.put("constraintsHeld", m.constraintsHeld());
            if (m.result().diverged() == null) {
                n.putNull("diverged");
            } else {
                n.put("diverged", m.result().diverged());
            }
            ObjectNode opts = n.putObject("options");
            FitMethod method = m.options().method();
            if (method.hasLearningRate()) {
                opts.put("learningRate", m.options().learningRate());
            }
            if (method.miniBatch()) {
                opts.put("batchFraction", m.options().batchFraction());
            }
            if (method != FitMethod.EM && method != FitMethod.LBFGS && method != FitMethod.GD) {
                opts.put("stepDecay", m.options().stepDecay());
            }
            ArrayNode trace = n.putArray("trace");
            double elapsed = 0;
            for (TraceEntry s : m.result().trace()) {
                // Seconds since the method started (evaluation not counted), as the charts plot them.
                elapsed += s.seconds();
                trace.addObject().put("iteration", s.iteration()).put("avgLogLikelihood", s.avgLogLikelihood())
                        .put("passes", s.passes()).put("seconds", elapsed)
                        .put("likelihoodDecreased", s.likelihoodDecreased()).put("constraintsHeld", s.constraintsHeld());
            }
        }
        ArrayNode sweep = root.putArray("learningRateSweep");
        for (Comparison.SweepPoint p : out.sweep()) {
            ObjectNode n = sweep.addObject().put("method", p.method().serializedName()).put("learningRate", p.learningRate());
            if (Double.isNaN(p.finalAvgLogLikelihood())) {
                n.putNull("finalAvgLogLikelihood");
                n.put("diverged", p.diverged());
            } else {
                n.put("finalAvgLogLikelihood", p.finalAvgLogLikelihood());
            }
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putNullable(ObjectNode n, String key, Double v) {
        if (v == null) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }

    public static String html(Comparison.Outcome out, Map<String, Object> data) {
        System.setProperty("java.awt.headless", "true");
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mixem compare</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 8px;")
                .append("text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}")
                .append("img{max-width:100%;display:block;margin:1em 0}.note{color:#555}</style></head><body>\n");
        h.append("<h1>EM against gradient methods</h1>\n<p>");
        data.forEach((k, v) -> h.append("<b>").append(esc(k)).append("</b>: ").append(esc(String.valueOf(v))).append("; "));
        h.append("</p>\n<p class=\"note\">Every method started from the same initial parameters (one initialization,")
                .append(" shared), on the same cached rows, within the same budget of passes over the data. A pass")
                .append(" is one E-step over every row; a mini-batch of 1% counts 0.01. Seconds count fitting only, not")
                .append(" the evaluations that draw these curves. All methods use the same E-step statistics, so rows")
                .append(" with missing cells are handled alike: EM and online EM through the conditional expectations,")
                .append(" the gradient methods through the gradient of the observed-data log-likelihood (Fisher's identity).</p>\n");
        h.append(String.format(Locale.ROOT, "<p>Best mean log-likelihood reached by any method: <b>%.8f</b>. "
                + "Target: within %.0e of it.</p>%n", out.bestAvgLogLikelihood(), Comparison.TARGET_GAP));
        h.append("<table><tr><th>method</th><th>final mean log-likelihood</th><th>passes to target</th>")
                .append("<th>seconds to target</th><th>iterations where the likelihood fell</th>")
                .append("<th>constraints held</th><th>settings</th></tr>\n");
        for (Comparison.MethodOutcome m : out.methods()) {
            h.append("<tr><td>").append(m.options().method()).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.8f", m.finalAvgLogLikelihood())).append("</td><td>")
                    .append(m.passesToTarget() == null ? "not reached" : String.format(Locale.ROOT, "%.2f", m.passesToTarget()))
                    .append("</td><td>")
                    .append(m.secondsToTarget() == null ? "not reached" : String.format(Locale.ROOT, "%.2f", m.secondsToTarget()))
                    .append("</td><td>").append(m.likelihoodDecreases()).append("</td><td>")
                    .append(m.constraintsHeld() ? "yes" : "<b>no</b>").append("</td><td>").append(esc(settings(m)))
                    .append(m.result().diverged() != null ? " (diverged)" : "").append("</td></tr>\n");
        }
        h.append("</table>\n");
        h.append(img(curves(out, "iteration", "updates"), "mean log-likelihood against iterations"));
        h.append(img(curves(out, "passes", "passes over the data"), "mean log-likelihood against passes"));
        h.append(img(curves(out, "seconds", "seconds"), "mean log-likelihood against seconds"));
        if (!out.sweep().isEmpty()) {
            h.append("<h2>Sensitivity to the learning rate</h2>\n<p class=\"note\">Final mean log-likelihood after the")
                    .append(" sweep's budget, from the same start, for learning rates around each method's default.")
                    .append(" EM and online EM have no learning rate.</p>\n");
            h.append(img(sweepChart(out), "final mean log-likelihood against learning rate"));
            h.append("<table><tr><th>method</th><th>learning rate</th><th>final mean log-likelihood</th></tr>\n");
            for (Comparison.SweepPoint p : out.sweep()) {
                h.append("<tr><td>").append(p.method()).append("</td><td>")
                        .append(String.format(Locale.ROOT, "%.4g", p.learningRate())).append("</td><td>")
                        .append(Double.isNaN(p.finalAvgLogLikelihood()) ? "diverged"
                                : String.format(Locale.ROOT, "%.8f", p.finalAvgLogLikelihood()))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String settings(Comparison.MethodOutcome m) {
        FitMethod method = m.options().method();
        StringBuilder s = new StringBuilder();
        if (method.hasLearningRate()) {
            s.append("lr ").append(m.options().learningRate());
        }
        if (method.miniBatch()) {
            s.append(s.length() > 0 ? ", " : "").append("batch ").append(m.options().batchFraction());
        }
        if (method == FitMethod.SGD || method == FitMethod.ADAM || method == FitMethod.ONLINE_EM) {
            s.append(s.length() > 0 ? ", " : "").append(method == FitMethod.ONLINE_EM ? "κ " : "decay ")
                    .append(m.options().stepDecay());
        }
        return s.length() == 0 ? "-" : s.toString();
    }

    /** One line per method; the y range leaves out the shared starting point, whose value would flatten the rest. */
    static JFreeChart curves(Comparison.Outcome out, String x, String xLabel) {
        XYSeriesCollection data = new XYSeriesCollection();
        double low = Double.POSITIVE_INFINITY;
        for (Comparison.MethodOutcome m : out.methods()) {
            XYSeries s = new XYSeries(m.options().method().serializedName());
            List<TraceEntry> trace = m.result().trace();
            double elapsed = 0;
            for (TraceEntry p : trace) {
                elapsed += p.seconds();
                double xv = switch (x) {
                    case "iteration" -> p.iteration();
                    case "passes" -> p.passes();
                    default -> elapsed;
                };
                s.add(xv, p.avgLogLikelihood());
            }
            if (trace.size() > 2) {
                low = Math.min(low, trace.get(Math.min(trace.size() - 1, Math.max(1, trace.size() / 10))).avgLogLikelihood());
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Mean log-likelihood against " + xLabel, xLabel,
                "mean log-likelihood", data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        double best = out.bestAvgLogLikelihood();
        if (Double.isFinite(low) && low < best) {
            NumberAxis y = (NumberAxis) chart.getXYPlot().getRangeAxis();
            y.setAutoRangeIncludesZero(false);
            y.setRange(low - 0.05 * (best - low), best + 0.05 * (best - low));
        }
        return chart;
    }

    static JFreeChart sweepChart(Comparison.Outcome out) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (FitMethod m : List.of(FitMethod.SGD, FitMethod.ADAM, FitMethod.GD)) {
            XYSeries s = new XYSeries(m.serializedName());
            for (Comparison.SweepPoint p : out.sweep()) {
                if (p.method() == m && !Double.isNaN(p.finalAvgLogLikelihood())) {
                    s.add(p.learningRate(), p.finalAvgLogLikelihood());
                }
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Final mean log-likelihood against learning rate",
                "learning rate (log scale)", "final mean log-likelihood", data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis("learning rate (log scale)");
        x.setBase(10);
        x.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(0.5));
        x.setNumberFormatOverride(new java.text.DecimalFormat("0.####"));
        plot.setDomainAxis(x);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        ((XYLineAndShapeRenderer) plot.getRenderer()).setDefaultShapesVisible(true);
        return chart;
    }

    /** One colour per method, the same in every chart. */
    private static void style(JFreeChart chart) {
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        XYSeriesCollection data = (XYSeriesCollection) plot.getDataset();
        for (int i = 0; i < data.getSeriesCount(); i++) {
            FitMethod m = FitMethod.parse(String.valueOf(data.getSeriesKey(i)));
            r.setSeriesPaint(i, COLORS[m.ordinal() % COLORS.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
    }

    private static String img(JFreeChart chart, String alt) {
        return Html.img(chart, alt, 1000, 500);
    }

    private static String esc(String s) {
        return Html.esc(s);
    }
}
