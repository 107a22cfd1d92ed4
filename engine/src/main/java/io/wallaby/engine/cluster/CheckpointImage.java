package io.wallaby.engine.cluster;

import io.wallaby.engine.state.CheckpointStore;
import io.wallaby.engine.stream.OutputLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What checkpoint partitions hold once read from the beginning: the latest record of each key, per stream. A
 * compacted topic keeps at least the latest record of every key but may keep older ones too (compaction runs
 * behind the writes, and never on the active segment), so a restore applies every record in order, as
 * compaction would, rather than trusting the topic to be compacted.
 */
final class CheckpointImage {

    private final Map<Long, StreamImage> streams = new HashMap<>();
    private long records;

    /** Applies one record; a null value (a tombstone) forgets the key. */
    void apply(byte[] key, byte[] value) throws IOException {
        records++;
        CheckpointRecords.Key what = CheckpointRecords.key(key);
        StreamImage stream = streams.computeIfAbsent(what.streamId(), id -> new StreamImage());
        if (what instanceof CheckpointRecords.Position) {
            stream.position = value == null ? null : CheckpointRecords.stream(value);
        } else if (what instanceof CheckpointRecords.State) {
            ByteBuffer entry = ByteBuffer.wrap(key);
            if (value == null) {
                stream.state.remove(entry);
            } else {
                stream.state.put(entry, value);
            }
        } else if (what instanceof CheckpointRecords.Output output) {
            if (value == null) {
                stream.outputs.remove(output.id());
            } else {
                stream.outputs.put(output.id(), value);
            }
        }
    }

    /** Records applied, tombstones and overwritten ones included. */
    long records() {
        return records;
    }

    /**
     * Feeds every stream that has a position record to {@code restorer}: its position, its state entries, then
     * its outputs in id order (as {@code RocksDbCheckpointStore} does). A stream without one (only entries left
     * of it, or a topic written by something else) is skipped: without a position its state means nothing.
     *
     * @return the output ids each restored stream holds, in unsigned order
     */
    Map<Long, NavigableSet<Long>> feed(CheckpointStore.Restorer restorer) throws IOException {
        Map<Long, NavigableSet<Long>> outputIds = new HashMap<>();
        for (Map.Entry<Long, StreamImage> entry : streams.entrySet()) {
            long streamId = entry.getKey();
            StreamImage stream = entry.getValue();
            if (stream.position == null) {
                continue;
            }
            restorer.stream(streamId, stream.position.name(), stream.position.position());
            for (Map.Entry<ByteBuffer, byte[]> state : stream.state.entrySet()) {
                CheckpointRecords.State key = (CheckpointRecords.State) CheckpointRecords.key(state.getKey().array());
                restorer.state(streamId, key.step(), key.key(), state.getValue());
            }
            NavigableSet<Long> ids = new TreeSet<>(Long::compareUnsigned);
            for (Map.Entry<Long, byte[]> output : stream.outputs.entrySet()) {
                OutputLog.Output restored = CheckpointRecords.output(output.getKey(), output.getValue());
                restorer.output(streamId, restored);
                ids.add(restored.id());
            }
            outputIds.put(streamId, ids);
        }
        return outputIds;
    }

    /** One stream's latest records. */
    private static final class StreamImage {
        private CheckpointRecords.Stream position;
        /** Keyed by the whole record key (a ByteBuffer compares by content). */
        private final Map<ByteBuffer, byte[]> state = new LinkedHashMap<>();
        /** Sink ids are unsigned. */
        private final TreeMap<Long, byte[]> outputs = new TreeMap<>(Long::compareUnsigned);
    }
}
