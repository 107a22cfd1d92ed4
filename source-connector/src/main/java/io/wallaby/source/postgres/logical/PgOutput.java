package io.wallaby.source.postgres.logical;

import java.util.List;

/**
 * The messages of PostgreSQL's {@code pgoutput} plugin, protocol version 1, as far as capture needs
 * them. A closed family: {@link PgOutputDecoder} makes them and {@link LogicalReader} dispatches on them.
 * Tuples keep their column values as slices of the message buffer, so reading a change copies nothing
 * until its envelope is written.
 */
sealed interface PgOutput {

    /** A transaction starts; {@code finalLsn} is the LSN of its commit record. */
    record Begin(long finalLsn, long commitTimeMicros, int xid) implements PgOutput { }

    /** A transaction ends; {@code endLsn} is the end of its commit record, the position to confirm. */
    record Commit(long commitLsn, long endLsn, long commitTimeMicros) implements PgOutput { }

    /** Describes a table before its first change in a session, and again after its definition changes. */
    record Relation(int id, String schema, String name, char replicaIdentity, List<Column> columns)
            implements PgOutput {

        String qualifiedName() {
            return schema + "." + name;
        }
    }

    /** A column of a {@link Relation}; {@code key} when it is part of the replica identity. */
    record Column(String name, int typeOid, boolean key) { }

    record Insert(int relationId, Tuple row) implements PgOutput { }

    /**
     * @param oldKind 'K' when {@code before} holds the old key, 'O' the whole old row, 0 when PostgreSQL
     *                sent no old values (the key did not change)
     */
    record Update(int relationId, char oldKind, Tuple before, Tuple after) implements PgOutput { }

    /** @param oldKind 'K' (old key) or 'O' (whole old row, REPLICA IDENTITY FULL) */
    record Delete(int relationId, char oldKind, Tuple before) implements PgOutput { }

    record Truncate(List<Integer> relationIds) implements PgOutput { }

    /** Origin, type and logical-decoding messages: nothing capture acts on. */
    record Ignored(char type) implements PgOutput { }

    /**
     * One row's values: per column a kind ('n' null, 'u' unchanged TOASTed value left out, 't' text) and,
     * for text, {@code length} bytes at {@code offset} in {@code buffer} (UTF-8, PostgreSQL's text form).
     */
    record Tuple(byte[] buffer, byte[] kinds, int[] offsets, int[] lengths) {

        int size() {
            return kinds.length;
        }
    }
}
