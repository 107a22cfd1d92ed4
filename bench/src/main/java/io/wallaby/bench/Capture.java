package io.wallaby.bench;

import io.wallaby.launcher.PieceProcess;
import io.wallaby.launcher.Pieces;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The postgres source's capture modes as the benchmark starts them. Every start names its mode: under
 * {@code --capture auto} (the source's default) what a figure measured would depend on the server's wal_level.
 */
enum Capture {

    /** A pgoutput replication slot; {@code --snapshot never}: only changes made once the slot exists. */
    LOGICAL("logical", "--capture", "logical", "--snapshot", "never"),
    /** The capture trigger copying each inserted row into wallaby.changes. */
    TABLE("table (trigger)", "--capture", "table");

    private final String label;
    private final List<String> flags;

    Capture(String label, String... flags) {
        this.label = label;
        this.flags = List.of(flags);
    }

    /** How the report names the mode. */
    String label() {
        return label;
    }

    /** The flags that choose this mode, as the report quotes them. */
    String flags() {
        return String.join(" ", flags);
    }

    /** Starts a postgres source in this mode on {@code db}, with {@code extra} flags, and waits until it is ready. */
    PieceProcess start(Pieces pieces, BenchDatabase db, String... extra) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--connection", db.connectionString()));
        args.addAll(flags);
        args.addAll(List.of(extra));
        return pieces.startSource("source-postgres", "postgres", args.toArray(String[]::new));
    }
}
