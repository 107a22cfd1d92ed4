package io.wallaby.bench;

import java.util.List;
import java.util.Locale;

/** The whole Markdown report: machine, table, how each figure was taken, and what failed. */
final class Report {

    private Report() {
    }

    static String markdown(Machine machine, BenchMain options, List<Figure> figures, List<String> notes,
                           List<String> failures, double minutes) {
        StringBuilder out = new StringBuilder();
        out.append("# Wallaby benchmark\n\n");
        out.append("- Date: ").append(machine.date()).append('\n');
        out.append("- Machine: ").append(machine.cores()).append(" cores (").append(machine.cpu()).append("), ")
                .append(String.format(Locale.ROOT, "%.1f GiB", machine.memoryGiB())).append(" memory, ")
                .append(machine.os()).append('\n');
        out.append("- Java: ").append(machine.java()).append("; every piece runs as the launcher starts it "
                + "(java -Xmx256m -XX:+UseSerialGC -jar ...)\n");
        out.append("- PostgreSQL: embedded (zonky), started fresh per scenario or run, zonky's defaults "
                + "(synchronous_commit=off)\n");
        out.append("- Options: ").append(options.describeOptions())
                .append(String.format(Locale.ROOT, "; took %.1f minutes", minutes)).append('\n');
        out.append("- Every figure is the median of the runs, with min and max; every ratio is taken within one "
                + "run, then its median shown. ✓/✗ judges the median against the target.\n\n");
        out.append(MarkdownTable.render(figures)).append('\n');
        if (!failures.isEmpty()) {
            out.append("## Failed\n\n");
            failures.forEach(f -> out.append("- ").append(f).append('\n'));
            out.append('\n');
        }
        out.append("## How each figure was taken\n\n");
        notes.forEach(n -> out.append("- ").append(n).append('\n'));
        return out.toString();
    }
}
