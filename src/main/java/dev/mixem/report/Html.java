package dev.mixem.report;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;

/** What the self-contained reports share: charts embedded as PNG, and escaped text. */
final class Html {
    private Html() {
    }

    /** The chart as an {@code <img>} with the PNG inline, so the page needs no network. */
    static String img(JFreeChart chart, String alt, int width, int height) {
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(png, chart, width, height);
            return "<img alt=\"" + esc(alt) + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(png.toByteArray()) + "\">\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
