package io.wallaby.source.postgres.logical;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

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
    private static final SerializedString OP = new SerializedString("op");
    private static final SerializedString TABLE = new SerializedString("table");
    private static final SerializedString BEFORE = new SerializedString("before");
    private static final SerializedString AFTER = new SerializedString("after");
    private static final SerializedString SOURCE = new SerializedString("source");
    private static final SerializedString COMMIT_LSN = new SerializedString("commit_lsn");
    private static final SerializedString TXID = new SerializedString("txid");
    private static final SerializedString COMMIT_TIME = new SerializedString("commit_time");
    private static final SerializedString POSITION = new SerializedString("position");
    private static final SerializedString[] OPS = new SerializedString[128];

    static {
        for (char op : "cudrt".toCharArray()) {
            OPS[op] = new SerializedString(String.valueOf(op));
        }
    }

    /** A relation's names, escaped once: the table and column names of every change are the same bytes. */
    private record Names(SerializedString table, SerializedString[] columns) {

        static Names of(PgOutput.Relation relation) {
            SerializedString[] columns = new SerializedString[relation.columns().size()];
            for (int i = 0; i < columns.length; i++) {
                columns[i] = new SerializedString(relation.columns().get(i).name());
            }
            return new Names(new SerializedString(relation.qualifiedName()), columns);
        }
    }

    private final Output buffer = new Output();
    private final JsonGenerator json;
    /** By identity: a relation described again (its definition changed) is a new object with new names. */
    private final Map<PgOutput.Relation, Names> names = new IdentityHashMap<>();

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

    /** The relation's schema-qualified name, the same String object for every change of it. */
    String table(PgOutput.Relation relation) {
        return names(relation).table().getValue();
    }

    byte[] change(char op, PgOutput.Relation relation, PgOutput.Tuple before, boolean beforeIsKey,
                  PgOutput.Tuple after, Origin origin, int position) {
        try {
            Names names = start(op, relation);
            json.writeFieldName(BEFORE);
            if (before == null) {
                json.writeNull();
            } else {
                row(relation.columns(), names, before, beforeIsKey);
            }
            if (after != null) {
                json.writeFieldName(AFTER);
                row(relation.columns(), names, after, false);
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
            Names names = start('r', relation);
            json.writeFieldName(BEFORE);
            json.writeNull();
            json.writeFieldName(AFTER);
            row(relation.columns(), names, row, false);
            json.writeFieldName(SOURCE);
            json.writeStartObject();
            json.writeStringField("snapshot_lsn", snapshotLsn);
            json.writeNumberField("position", position);
            json.writeEndObject();
            return finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Names start(char op, PgOutput.Relation relation) throws IOException {
        Names names = names(relation);
        json.writeStartObject();
        json.writeFieldName(OP);
        json.writeString(OPS[op]);
        json.writeFieldName(TABLE);
        json.writeString(names.table());
        return names;
    }

    private Names names(PgOutput.Relation relation) {
        Names known = names.get(relation);
        if (known == null) {
            if (names.size() > 10_000) {
                names.clear(); // relations described again and again (DDL in a loop): forget the old ones
            }
            known = Names.of(relation);
            names.put(relation, known);
        }
        return known;
    }

    private void source(Origin origin, int position) throws IOException {
        json.writeFieldName(SOURCE);
        json.writeStartObject();
        json.writeFieldName(COMMIT_LSN);
        json.writeString(origin.commitLsn());
        json.writeFieldName(TXID);
        json.writeNumber(origin.txid());
        json.writeFieldName(COMMIT_TIME);
        json.writeString(origin.commitTime());
        json.writeFieldName(POSITION);
        json.writeNumber(position);
        json.writeEndObject();
    }

    private byte[] finish() throws IOException {
        json.writeEndObject();
        json.flush();
        return buffer.take();
    }

    /** One growing array, reused: each message is copied out once, at its exact length. */
    private static final class Output extends OutputStream {

        private byte[] bytes = new byte[1024];
        private int count;

        @Override
        public void write(int b) {
            ensure(1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int offset, int length) {
            ensure(length);
            System.arraycopy(source, offset, bytes, count, length);
            count += length;
        }

        private void ensure(int more) {
            if (count + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
            }
        }

        byte[] take() {
            byte[] message = Arrays.copyOf(bytes, count);
            count = 0;
            return message;
        }
    }

    private void row(List<PgOutput.Column> columns, Names names, PgOutput.Tuple tuple, boolean keyOnly)
            throws IOException {
        json.writeStartObject();
        int count = Math.min(columns.size(), tuple.size());
        for (int i = 0; i < count; i++) {
            PgOutput.Column column = columns.get(i);
            byte kind = tuple.kinds()[i];
            if ((keyOnly && !column.key()) || kind == 'u') {
                continue;
            }
            json.writeFieldName(names.columns()[i]);
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
