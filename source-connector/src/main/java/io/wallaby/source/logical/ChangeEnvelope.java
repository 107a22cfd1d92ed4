package io.wallaby.source.logical;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the JSON envelope of one captured change, the payload the engine receives:
 * <pre>{@code
 * {"op":"c","table":"public.transactions","before":null,
 *  "after":{"id":1,"amount":1500.50,"created_at":"2026-12-01T18:00:00.123456+00:00"},
 *  "source":{"commit_lsn":"0/1A2B3C4","txid":735,"commit_time":"2026-12-01T18:00:00.123456Z","position":0}}
 * }</pre>
 * {@code op} is c (insert), u (update), d (delete), r (a row read by the initial snapshot) or t (truncate).
 * {@code before} holds the old key columns, or the whole old row under REPLICA IDENTITY FULL, when
 * PostgreSQL sent them. Columns PostgreSQL left out because they are unchanged TOASTed values are not in
 * {@code after} and are named in {@code "unchanged"}: never sent as null. Values: see {@link PgValues}.
 *
 * <p>One instance per thread: it reuses one generator and one buffer for every message.
 */
final class ChangeEnvelope {

    private static final JsonFactory JSON = new JsonFactory();

    private final ByteArrayBuilder buffer = new ByteArrayBuilder(512);
    private final JsonGenerator json;

    ChangeEnvelope() {
        try {
            json = JSON.createGenerator(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        json.setRootValueSeparator(null);
    }

    /** Where a change comes from: its transaction (strings made once per transaction) and its place in it. */
    record Origin(String commitLsn, long txid, String commitTime) { }

    byte[] change(char op, PgOutput.Relation relation, PgOutput.Tuple before, boolean beforeIsKey,
                  PgOutput.Tuple after, Origin origin, int position) {
        try {
            start(op, relation);
            json.writeFieldName("before");
            if (before == null) {
                json.writeNull();
            } else {
                row(relation.columns(), before, beforeIsKey);
            }
            if (after != null) {
                json.writeFieldName("after");
                row(relation.columns(), after, false);
                unchanged(relation.columns(), after);
            }
            source(origin, position);
            return finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writes to memory only
        }
    }

    byte[] truncate(PgOutput.Relation relation, Origin origin, int position) {
        try {
            start('t', relation);
            source(origin, position);
            return finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A row of the initial snapshot: op r, the row as {@code after}, the snapshot's LSN as its origin. */
    byte[] snapshotRow(PgOutput.Relation relation, PgOutput.Tuple row, String snapshotLsn, long position) {
        try {
            start('r', relation);
            json.writeFieldName("before");
            json.writeNull();
            json.writeFieldName("after");
            row(relation.columns(), row, false);
            json.writeObjectFieldStart("source");
            json.writeStringField("snapshot_lsn", snapshotLsn);
            json.writeNumberField("position", position);
            json.writeEndObject();
            return finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void start(char op, PgOutput.Relation relation) throws IOException {
        json.writeStartObject();
        json.writeFieldName("op");
        json.writeString(String.valueOf(op));
        json.writeStringField("table", relation.qualifiedName());
    }

    private void source(Origin origin, int position) throws IOException {
        json.writeObjectFieldStart("source");
        json.writeStringField("commit_lsn", origin.commitLsn());
        json.writeNumberField("txid", origin.txid());
        json.writeStringField("commit_time", origin.commitTime());
        json.writeNumberField("position", position);
        json.writeEndObject();
    }

    private byte[] finish() throws IOException {
        json.writeEndObject();
        json.flush();
        byte[] bytes = buffer.toByteArray();
        buffer.reset();
        return bytes;
    }

    private void row(List<PgOutput.Column> columns, PgOutput.Tuple tuple, boolean keyOnly) throws IOException {
        json.writeStartObject();
        int count = Math.min(columns.size(), tuple.size());
        for (int i = 0; i < count; i++) {
            PgOutput.Column column = columns.get(i);
            byte kind = tuple.kinds()[i];
            if ((keyOnly && !column.key()) || kind == 'u') {
                continue;
            }
            json.writeFieldName(column.name());
            if (kind == 'n') {
                json.writeNull();
            } else {
                PgValues.write(json, column.typeOid(), tuple.buffer(), tuple.offsets()[i], tuple.lengths()[i]);
            }
        }
        json.writeEndObject();
    }

    private void unchanged(List<PgOutput.Column> columns, PgOutput.Tuple tuple) throws IOException {
        boolean any = false;
        int count = Math.min(columns.size(), tuple.size());
        for (int i = 0; i < count; i++) {
            if (tuple.kinds()[i] == 'u') {
                if (!any) {
                    json.writeArrayFieldStart("unchanged");
                    any = true;
                }
                json.writeString(columns.get(i).name());
            }
        }
        if (any) {
            json.writeEndArray();
        }
    }

    /** A tuple of text values (null for NULL), as the snapshot reads them through JDBC. */
    static PgOutput.Tuple tuple(String[] values) {
        byte[][] encoded = new byte[values.length][];
        int total = 0;
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                encoded[i] = values[i].getBytes(StandardCharsets.UTF_8);
                total += encoded[i].length;
            }
        }
        byte[] buffer = new byte[total];
        byte[] kinds = new byte[values.length];
        int[] offsets = new int[values.length];
        int[] lengths = new int[values.length];
        int at = 0;
        for (int i = 0; i < values.length; i++) {
            if (encoded[i] == null) {
                kinds[i] = 'n';
            } else {
                kinds[i] = 't';
                System.arraycopy(encoded[i], 0, buffer, at, encoded[i].length);
                offsets[i] = at;
                lengths[i] = encoded[i].length;
                at += encoded[i].length;
            }
        }
        return new PgOutput.Tuple(buffer, kinds, offsets, lengths);
    }
}
