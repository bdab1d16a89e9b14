package dev.mixem.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.config.CovarianceType;
import dev.mixem.select.Criterion;
import dev.mixem.select.ModelSelection;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
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
 * {@code select}'s outputs: {@code select.json} (one row per candidate) and {@code report.html} (BIC against K,
 * one line per covariance structure, as mclust's plot, and the table), self-contained.
 */
public final class SelectReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf)};
    static final String CONVENTION = "Criteria are in scikit-learn's convention, lower is better: BIC = -2 L + p ln n,"
            + " AIC = -2 L + 2 p, ICL = BIC + 2 E with E = -sum_i w_i ln max_k z_ik (L the total log-likelihood, p the"
            + " free parameters, n the total row weight). mclust reports 2 L - p ln n = -BIC (higher is better) and"
            + " likewise -ICL.";

    private SelectReport() {
    }

    public static String json(ModelSelection.Outcome out, Map<String, Object> data) {
        ObjectNode root = JSON.createObjectNode();
        data.forEach((key, v) -> root.putPOJO(key, v));
        root.put("criterion", out.criterion().serializedName());
        root.put("convention", CONVENTION);
        root.put("batches", out.batches());
        root.put("passes", out.jobs());
        root.put("seconds", out.seconds());
        ModelSelection.Candidate c = out.candidates().get(out.chosen());
        ObjectNode chosen = root.putObject("chosen");
        chosen.put("k", c.k());
        chosen.put("covariance", c.type().serializedName());
        if (c.factors() > 0) {
            chosen.put("factors", c.factors());
        }
        chosen.put("restart", c.restart() + 1);
        chosen.put("model", "model/model.json");
        ArrayNode rows = root.putArray("candidates");
        List<ModelSelection.Candidate> table = out.candidates();
        for (int i = 0; i < table.size(); i++) {
            ModelSelection.Candidate x = table.get(i);
            ObjectNode r = rows.addObject();
            r.put("k", x.k());
            r.put("covariance", x.type().serializedName());
            if (x.factors() > 0) {
                r.put("factors", x.factors());
            }
            r.put("restart", x.restart() + 1);
            if (x.failure() == null) {
                r.put("avgLogLikelihood", x.avgLogLikelihood());
                r.put("freeParameters", x.freeParameters());
                r.put("bic", x.bic());
                r.put("aic", x.aic());
                r.put("icl", x.icl());
                r.put("iterations", x.iterations());
                r.put("converged", x.converged());
                r.put("finalK", x.finalK());
                r.put("bestRestart", ModelSelection.representative(table, i));
                r.put("pruned", x.pruned());
            } else {
                r.putNull("avgLogLikelihood");
                r.put("failure", x.failure());
            }
            r.put("seconds", x.seconds());
            r.put("chosen", i == out.chosen());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String html(ModelSelection.Outcome out, Map<String, Object> data) {
        ModelSelection.Candidate c = out.candidates().get(out.chosen());
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mixem select"
                + "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}tr.chosen{background:#ffe9a8}"
                + "tr.failed{color:#a00}</style></head><body>\n<h1>Model selection</h1>\n<p>");
        data.forEach((key, v) -> h.append(esc(key)).append(": ").append(esc(String.valueOf(v))).append("<br>\n"));
        h.append(String.format(Locale.ROOT, "</p><p><b>Chosen by %s: k = %d, %s covariance</b> (restart %d).%s</p>%n",
                out.criterion().serializedName().toUpperCase(Locale.ROOT), c.k(), c.structure(),
                c.restart() + 1, ""));
        h.append("<p>").append(esc(CONVENTION)).append("</p>\n");
        h.append(img(chart(out, Criterion.BIC), "BIC against K"));
        if (out.criterion() != Criterion.BIC) {
            h.append(img(chart(out, out.criterion()), out.criterion() + " against K"));
        }
        h.append("<table><tr><th>k</th><th>covariance</th><th>restart</th><th>mean log-likelihood</th>"
                + "<th>free parameters</th><th>BIC</th><th>AIC</th><th>ICL</th><th>iterations</th><th>converged</th>"
                + "<th>seconds</th></tr>\n");
        List<ModelSelection.Candidate> table = out.candidates();
        for (int i = 0; i < table.size(); i++) {
            ModelSelection.Candidate x = table.get(i);
            h.append("<tr").append(i == out.chosen() ? " class=\"chosen\"" : x.failure() != null ? " class=\"failed\"" : "")
                    .append(">");
            h.append(td(x.k())).append(td(x.structure())).append(td(x.restart() + 1));
            if (x.failure() == null) {
                h.append(td(String.format(Locale.ROOT, "%.8f", x.avgLogLikelihood()))).append(td(x.freeParameters()))
                        .append(td(String.format(Locale.ROOT, "%.3f", x.bic())))
                        .append(td(String.format(Locale.ROOT, "%.3f", x.aic())))
                        .append(td(String.format(Locale.ROOT, "%.3f", x.icl())))
                        .append(td(x.iterations())).append(td(x.pruned() ? "pruned" : String.valueOf(x.converged())));
            } else {
                h.append("<td colspan=\"7\">failed: ").append(esc(x.failure())).append("</td>");
            }
            h.append(td(String.format(Locale.ROOT, "%.1f", x.seconds()))).append("</tr>\n");
        }
        h.append("</table>\n</body></html>\n");
        return h.toString();
    }

    /** The criterion of each (K, structure)'s best restart against K, one line per structure. */
    static JFreeChart chart(ModelSelection.Outcome out, Criterion criterion) {
        XYSeriesCollection data = new XYSeriesCollection();
        List<ModelSelection.Candidate> table = out.candidates();
        java.util.Set<String> structures = new java.util.LinkedHashSet<>();
        table.forEach(x -> structures.add(x.structure()));
        for (String t : structures) {
            XYSeries s = new XYSeries(t);
            for (int i = 0; i < table.size(); i++) {
                ModelSelection.Candidate x = table.get(i);
                if (x.structure().equals(t) && ModelSelection.representative(table, i)) {
                    s.add(x.k(), x.criterion(criterion));
                }
            }
            if (s.getItemCount() > 0) {
                data.addSeries(s);
            }
        }
        String name = criterion.serializedName().toUpperCase(Locale.ROOT);
        JFreeChart chart = ChartFactory.createXYLineChart(name + " against K (lower is better)", "K (components)",
                name, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            // A structure keeps its colour whichever others are plotted; factor's lines follow after the four.
            String key = String.valueOf(data.getSeriesKey(i));
            String[] parts = key.split(" q=");
            int colour = CovarianceType.parse(parts[0]).ordinal() + (parts.length > 1 ? Integer.parseInt(parts[1]) - 1 : 0);
            r.setSeriesPaint(i, COLORS[colour % COLORS.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        return chart;
    }

    private static String td(Object v) {
        return "<td>" + esc(String.valueOf(v)) + "</td>";
    }

    private static String img(JFreeChart chart, String alt) {
        return Html.img(chart, alt, 900, 450);
    }

    private static String esc(String s) {
        return Html.esc(s);
    }
}
