package io.wallaby.source.postgres.logical;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The table {@code wallaby.dead_letters}: changes too large for a MESSAGE frame, kept with the reason
 * while their stream moves on past them (each is sent as an empty message, so later ids stay put).
 * Both capture modes keep theirs here; a row is keyed by its table, transaction and place in it.
 */
public final class DeadLetters {

    public static final String TABLE = "CREATE TABLE IF NOT EXISTS wallaby.dead_letters ("
            + "source text NOT NULL, txid xid8 NOT NULL, seq bigint NOT NULL, payload jsonb NOT NULL, "
            + "reason text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (source, txid, seq))";

    private DeadLetters() {
    }

    /** Keeps one change; idempotent, since after a restart the same change comes round again. */
    static void keep(Connection db, Outgoing change, String reason) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("INSERT INTO wallaby.dead_letters (source, txid, seq, payload, "
                + "reason) VALUES (?, ?::text::xid8, ?, ?::jsonb, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, change.table());
            s.setString(2, Long.toString(change.txid()));
            s.setLong(3, change.position());
            s.setString(4, new String(change.payload(), java.nio.charset.StandardCharsets.UTF_8));
            s.setString(5, reason);
            s.executeUpdate();
        }
    }
}
