package io.wallaby.source.postgres.logical;

/**
 * A change ready for the engine: its message id, its envelope, and where it came from (for a dead letter
 * when the envelope is too large for a frame).
 */
record Outgoing(long id, byte[] payload, String table, long txid, int position) { }
