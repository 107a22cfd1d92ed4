package io.wallaby.bench;

import java.util.List;
import java.util.Locale;

/** Renders the figures as a Markdown table; the same text is printed and written to bench/results. */
final class MarkdownTable {

    private MarkdownTable() {
    }

    static String render(List<Figure> figures) {
        StringBuilder out = new StringBuilder();
        out.append("| Scenario | Figure | Median | Min | Max | Unit | Target | Met |\n");
        out.append("|---|---|---:|---:|---:|---|---|:-:|\n");
        for (Figure f : figures) {
            out.append("| ").append(f.scenario())
                    .append(" | ").append(f.name())
                    .append(" | ").append(number(f.stats().median()))
                    .append(" | ").append(number(f.stats().min()))
                    .append(" | ").append(number(f.stats().max()))
                    .append(" | ").append(f.unit())
                    .append(" | ").append(f.target())
                    .append(" | ").append(f.met() == null ? "" : f.met() ? "✓" : "✗")
                    .append(" |\n");
        }
        return out.toString();
    }

    /** Big figures with thousands separators, small ones (ratios, milliseconds) with enough digits to compare. */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        double abs = Math.abs(value);
        if (abs >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
