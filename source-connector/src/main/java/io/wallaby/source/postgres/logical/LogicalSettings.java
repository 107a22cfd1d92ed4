package io.wallaby.source.postgres.logical;

import java.time.Duration;
import java.util.List;

/**
 * How a logical capture runs.
 *
 * @param stream            the source stream's name
 * @param tables            the captured tables, schema-qualified ({@code public.transactions}), existing
 * @param slot              the replication slot's name (one per stream)
 * @param publication       the publication's name
 * @param initialSnapshot   send the rows already in the tables when the slot is made, before the stream
 * @param statusInterval    the longest time between two status updates to the server (keeps the session
 *                          alive and the slot's confirmed position fresh)
 * @param heartbeatInterval while no captured table changes, how often to write a heartbeat into the WAL
 *                          ({@code pg_logical_emit_message}) so the slot moves with the rest of the server;
 *                          zero: never
 * @param maxPayloadLength  the largest envelope a MESSAGE frame carries; a larger one is a dead letter
 * @param partition         the part of the changes this stream carries, each numbered on its own; null: all
 *                          (an unpartitioned source)
 */
public record LogicalSettings(String stream, List<String> tables, String slot, String publication,
                              boolean initialSnapshot, Duration statusInterval, Duration heartbeatInterval,
                              int maxPayloadLength, Partition partition) {

    public LogicalSettings {
        tables = List.copyOf(tables);
    }
}
