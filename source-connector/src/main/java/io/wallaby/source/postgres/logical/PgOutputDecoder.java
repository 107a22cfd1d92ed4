package io.wallaby.source.postgres.logical;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one {@code pgoutput} message (the payload of an XLogData frame) into a {@link PgOutput}. The
 * layouts are PostgreSQL's "Logical Replication Message Formats", protocol version 1: big-endian integers,
 * NUL-terminated strings. A message this reader does not know is an error: it means the server speaks a
 * protocol version capture did not ask for.
 */
final class PgOutputDecoder {

    private PgOutputDecoder() {
    }

    static PgOutput decode(ByteBuffer message) {
        char type = (char) message.get();
        return switch (type) {
            case 'B' -> new PgOutput.Begin(message.getLong(), message.getLong(), message.getInt());
            case 'C' -> {
                message.get(); // flags, unused
                yield new PgOutput.Commit(message.getLong(), message.getLong(), message.getLong());
            }
            case 'R' -> relation(message);
            case 'I' -> {
                int relation = message.getInt();
                expect(message, 'N', "INSERT");
                yield new PgOutput.Insert(relation, tuple(message));
            }
            case 'U' -> update(message);
            case 'D' -> {
                int relation = message.getInt();
                char kind = (char) message.get();
                if (kind != 'K' && kind != 'O') {
                    throw new IllegalStateException("pgoutput DELETE: expected 'K' or 'O', got '" + kind + "'");
                }
                yield new PgOutput.Delete(relation, kind, tuple(message));
            }
            case 'T' -> {
                int count = message.getInt();
                message.get(); // options (CASCADE, RESTART IDENTITY): the envelope says only "truncated"
                List<Integer> relations = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    relations.add(message.getInt());
                }
                yield new PgOutput.Truncate(relations);
            }
            case 'O', 'Y', 'M' -> new PgOutput.Ignored(type);
            default -> throw new IllegalStateException("unknown pgoutput message type '" + type
                    + "'; capture asks for proto_version 1, which has no such message");
        };
    }

    private static PgOutput.Update update(ByteBuffer message) {
        int relation = message.getInt();
        char kind = (char) message.get();
        PgOutput.Tuple before = null;
        char oldKind = 0;
        if (kind == 'K' || kind == 'O') {
            oldKind = kind;
            before = tuple(message);
            kind = (char) message.get();
        }
        if (kind != 'N') {
            throw new IllegalStateException("pgoutput UPDATE: expected 'N', got '" + kind + "'");
        }
        return new PgOutput.Update(relation, oldKind, before, tuple(message));
    }

    private static PgOutput.Relation relation(ByteBuffer message) {
        int id = message.getInt();
        String schema = string(message);
        String name = string(message);
        char identity = (char) message.get();
        int count = message.getShort();
        List<PgOutput.Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean key = (message.get() & 1) != 0;
            String column = string(message);
            int type = message.getInt();
            message.getInt(); // type modifier
            columns.add(new PgOutput.Column(column, type, key));
        }
        return new PgOutput.Relation(id, schema, name, identity, List.copyOf(columns));
    }

    private static PgOutput.Tuple tuple(ByteBuffer message) {
        int count = message.getShort();
        byte[] kinds = new byte[count];
        int[] offsets = new int[count];
        int[] lengths = new int[count];
        byte[] array = message.array();
        for (int i = 0; i < count; i++) {
            byte kind = message.get();
            kinds[i] = kind;
            switch (kind) {
                case 'n', 'u' -> { }
                case 't' -> {
                    int length = message.getInt();
                    offsets[i] = message.arrayOffset() + message.position();
                    lengths[i] = length;
                    message.position(message.position() + length);
                }
                default -> throw new IllegalStateException("pgoutput tuple: column kind '" + (char) kind
                        + "' (binary values are never asked for)");
            }
        }
        return new PgOutput.Tuple(array, kinds, offsets, lengths);
    }

    private static void expect(ByteBuffer message, char expected, String what) {
        char got = (char) message.get();
        if (got != expected) {
            throw new IllegalStateException("pgoutput " + what + ": expected '" + expected + "', got '" + got + "'");
        }
    }

    private static String string(ByteBuffer message) {
        int start = message.position();
        int end = start;
        while (message.get(end) != 0) {
            end++;
        }
        String value = new String(message.array(), message.arrayOffset() + start, end - start, StandardCharsets.UTF_8);
        message.position(end + 1);
        return value;
    }
}
