package io.wallaby.source.postgres.logical;

import io.wallaby.connector.StreamPartitions;

import java.util.List;

/**
 * Which part of the captured changes one stream carries when a source is split into several streams by a
 * column ({@code --partitions N --partition-by COLUMN}): the changes whose column value hashes to
 * {@code index} ({@link StreamPartitions}). Values are PostgreSQL's text form, as pgoutput and
 * {@code ::text} print them; a null value belongs to partition 0.
 *
 * @param column the partition column's name, as the catalog spells it
 * @param index  this stream's partition, in {@code 0 .. count-1}
 * @param count  how many partitions there are, at least 2
 */
public record Partition(String column, int index, int count) {

    public Partition {
        if (count < 2 || index < 0 || index >= count) {
            throw new IllegalArgumentException("partition " + index + " of " + count);
        }
    }

    /** True when a row whose partition column reads {@code valueText} (null: SQL NULL) belongs here. */
    public boolean owns(String valueText) {
        return StreamPartitions.of(valueText, count) == index;
    }

    /** The position of the partition column among {@code names}, or -1. */
    int columnIn(List<String> names) {
        return names.indexOf(column);
    }
}
