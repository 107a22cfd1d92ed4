package io.wallaby.engine.cluster;

import io.wallaby.engine.stream.OutputLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How a checkpoint is laid out as records of the compacted topic {@code wallaby.NAME.checkpoints}: a record per
 * state entry, per output a sink may not have committed, and one position record per stream. The key says what
 * a record is, so that compaction keeps the latest record of each thing and a tombstone (a null value) deletes
 * it: a forgotten state entry and an output a sink committed are tombstones.
 *
 * <p>A key is the stream id (8 bytes, big-endian), a kind byte and the rest, as in {@code RocksDbCheckpointStore}:
 * <ul>
 *   <li>{@link #POSITION}: nothing more; the value is the position (8 bytes) and the stream's name (UTF-8);</li>
 *   <li>{@link #STATE}: the step's index (1 byte, unsigned) and the step's key; the value is the entry's value;</li>
 *   <li>{@link #OUTPUT}: the sink id (8 bytes); the value is the event time (8 bytes) and the payload.</li>
 * </ul>
 */
final class CheckpointRecords {

    static final byte POSITION = 0;
    static final byte STATE = 1;
    static final byte OUTPUT = 2;

    /** Steps are numbered in one byte: a pipeline has far fewer stateful steps than that. */
    static final int MAX_STEPS = 256;

    private static final int PREFIX = 9;

    private CheckpointRecords() {
    }

    /** What a record's key names. */
    sealed interface Key permits Position, State, Output {
        long streamId();
    }

    /** The stream's position record. */
    record Position(long streamId) implements Key {
    }

    /** One state entry of step {@code step}, keyed by {@code key} (the step's encoded key). */
    record State(long streamId, int step, byte[] key) implements Key {
    }

    /** The output with sink id {@code id}. */
    record Output(long streamId, long id) implements Key {
    }

    /** What a position record holds. */
    record Stream(long position, String name) {
    }

    static byte[] positionKey(long streamId) {
        return prefix(streamId, POSITION, 0).array();
    }

    static byte[] positionValue(long position, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + bytes.length).putLong(position).put(bytes).array();
    }

    static byte[] stateKey(long streamId, int step, byte[] key) {
        if (step < 0 || step >= MAX_STEPS) {
            throw new IllegalArgumentException("step " + step + " cannot be numbered in one byte");
        }
        return prefix(streamId, STATE, 1 + key.length).put((byte) step).put(key).array();
    }

    static byte[] outputKey(long streamId, long id) {
        return prefix(streamId, OUTPUT, 8).putLong(id).array();
    }

    static byte[] outputValue(OutputLog.Output output) {
        return ByteBuffer.allocate(8 + output.payload().length).putLong(output.eventTime()).put(output.payload())
                .array();
    }

    /**
     * Reads a record's key.
     *
     * @throws IOException when Wallaby never writes such a key (another program's topic, or a newer Wallaby's)
     */
    static Key key(byte[] key) throws IOException {
        if (key == null || key.length < PREFIX) {
            throw new IOException("a record key of " + (key == null ? "null" : key.length + " bytes")
                    + ", which Wallaby never writes: is the topic another program's?");
        }
        ByteBuffer buffer = ByteBuffer.wrap(key);
        long streamId = buffer.getLong();
        byte kind = buffer.get();
        return switch (kind) {
            case POSITION -> new Position(streamId);
            case STATE -> {
                if (key.length < PREFIX + 1) {
                    throw new IOException("a state entry's key without its step");
                }
                yield new State(streamId, key[PREFIX] & 0xFF, Arrays.copyOfRange(key, PREFIX + 1, key.length));
            }
            case OUTPUT -> {
                if (key.length != PREFIX + 8) {
                    throw new IOException("an output's key of " + key.length + " bytes, not " + (PREFIX + 8));
                }
                yield new Output(streamId, buffer.getLong());
            }
            default -> throw new IOException("a record of kind " + kind + ", which this engine does not know: was it "
                    + "written by a newer Wallaby?");
        };
    }

    static Stream stream(byte[] value) throws IOException {
        if (value.length < 8) {
            throw new IOException("a position record of " + value.length + " bytes");
        }
        return new Stream(ByteBuffer.wrap(value).getLong(), new String(value, 8, value.length - 8,
                StandardCharsets.UTF_8));
    }

    static OutputLog.Output output(long id, byte[] value) throws IOException {
        if (value.length < 8) {
            throw new IOException("an output record of " + value.length + " bytes");
        }
        return new OutputLog.Output(id, ByteBuffer.wrap(value).getLong(), Arrays.copyOfRange(value, 8, value.length));
    }

    private static ByteBuffer prefix(long streamId, byte kind, int more) {
        return ByteBuffer.allocate(PREFIX + more).putLong(streamId).put(kind);
    }
}
