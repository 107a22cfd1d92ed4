package io.wallaby.engine.state;

import io.wallaby.engine.stream.OutputLog;
import io.wallaby.protocol.Points;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The default {@link CheckpointStore}: a RocksDB database in the engine's {@code --state-dir}, as Flink and
 * Kafka Streams keep state. Chosen for its atomic, synced write batches (a checkpoint is one batch: it is
 * applied whole or not at all, and is on disk when the write returns) and because a checkpoint only writes
 * what changed, so its cost follows the changes, not the size of the state.
 *
 * <p>Layout, every key prefixed with the stream id (8 bytes, big-endian) and a kind byte:
 * <ul>
 *   <li>{@code 0}: the stream: its position (8 bytes) and its name (UTF-8);</li>
 *   <li>{@code 1}: one state entry: the step's index (1 byte) and the step's key;</li>
 *   <li>{@code 2}: one output: its sink id (8 bytes, big-endian, so that ids sort as unsigned numbers),
 *       valued with its event time (8 bytes) and payload; outputs a sink committed are deleted as a range.</li>
 * </ul>
 */
public final class RocksDbCheckpointStore implements CheckpointStore {

    private static final long WRITE_BUFFER_BYTES = 8L << 20;
    private static final byte STREAM = 0;
    private static final byte STATE = 1;
    private static final byte OUTPUT = 2;

    private final Path directory;
    private final Options options;
    private final WriteOptions synced;
    private final RocksDB db;

    private RocksDbCheckpointStore(Path directory, Options options, RocksDB db) {
        this.directory = directory;
        this.options = options;
        this.db = db;
        this.synced = new WriteOptions().setSync(true);
    }

    /**
     * Opens (or creates) the store in {@code directory}.
     *
     * @throws StateDirectoryException when the directory cannot be used, e.g. another engine holds it
     */
    public static RocksDbCheckpointStore open(Path directory) {
        RocksDB.loadLibrary();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StateDirectoryException("cannot create the state directory " + directory + ": " + e
                    + "; choose another with --state-dir", e);
        }
        // Small memtables: the store is written once per checkpoint and read only at start-up, so RocksDB's
        // 64 MiB default would only add to the engine's resident memory.
        Options options = new Options().setCreateIfMissing(true).setWriteBufferSize(WRITE_BUFFER_BYTES)
                .setMaxWriteBufferNumber(2);
        try {
            return new RocksDbCheckpointStore(directory, options, RocksDB.open(options, directory.toString()));
        } catch (RocksDBException e) {
            options.close();
            String status = String.valueOf(e.getMessage());
            if (status.contains("lock")) {
                throw new StateDirectoryException("the state directory " + directory + " is held by another running "
                        + "engine (" + status + "): stop it, or give this engine its own --state-dir", e);
            }
            throw new StateDirectoryException("cannot open the state in " + directory + ": " + status, e);
        }
    }

    @Override
    public void restore(Restorer restorer) throws IOException {
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                byte[] value = it.value();
                if (key.length < 9) {
                    throw new IOException("the state in " + directory + " holds a key of " + key.length
                            + " bytes, which Wallaby never writes: is it another program's database?");
                }
                ByteBuffer keyBuffer = ByteBuffer.wrap(key);
                long streamId = keyBuffer.getLong();
                byte kind = keyBuffer.get();
                switch (kind) {
                    case STREAM -> {
                        ByteBuffer valueBuffer = ByteBuffer.wrap(value);
                        long position = valueBuffer.getLong();
                        restorer.stream(streamId, new String(value, 8, value.length - 8, StandardCharsets.UTF_8),
                                position);
                    }
                    case STATE -> restorer.state(streamId, key[9] & 0xFF, Arrays.copyOfRange(key, 10, key.length),
                            value);
                    case OUTPUT -> {
                        ByteBuffer valueBuffer = ByteBuffer.wrap(value);
                        long eventTime = valueBuffer.getLong();
                        restorer.output(streamId, new OutputLog.Output(keyBuffer.getLong(), eventTime,
                                Arrays.copyOfRange(value, 8, value.length)));
                    }
                    default -> throw new IOException("the state in " + directory + " holds an entry of kind " + kind
                            + ", which this engine does not know: was it written by a newer Wallaby?");
                }
            }
            it.status();
        } catch (RocksDBException e) {
            throw new IOException("cannot read the state in " + directory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long write(List<Checkpoint> checkpoints) throws IOException {
        try (WriteBatch batch = new WriteBatch()) {
            for (Checkpoint checkpoint : checkpoints) {
                add(batch, checkpoint);
            }
            long bytes = batch.getDataSize();
            db.write(synced, batch);
            return bytes;
        } catch (RocksDBException e) {
            throw new IOException("cannot write the checkpoints of " + checkpoints.size() + " stream(s) ("
                    + checkpoints.get(0).streamName() + (checkpoints.size() > 1 ? ", ..." : "") + ") to " + directory
                    + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void add(WriteBatch batch, Checkpoint checkpoint) throws RocksDBException {
        long streamId = checkpoint.streamId();
        byte[] name = checkpoint.streamName().getBytes(StandardCharsets.UTF_8);
        batch.put(prefix(streamId, STREAM, 0).array(),
                ByteBuffer.allocate(8 + name.length).putLong(checkpoint.position()).put(name).array());
        for (int step = 0; step < checkpoint.steps().size(); step++) {
            StateChanges changes = checkpoint.steps().get(step);
            if (changes == null) {
                continue;
            }
            byte stepByte = (byte) step;
            changes.writeTo((stepKey, value) -> {
                byte[] key = prefix(streamId, STATE, 1 + stepKey.length).put(stepByte).put(stepKey).array();
                try {
                    if (value == null) {
                        batch.delete(key);
                    } else {
                        batch.put(key, value);
                    }
                } catch (RocksDBException e) {
                    throw new UncheckedIOException(new IOException(e.getMessage(), e));
                }
            });
        }
        for (OutputLog.Output output : checkpoint.outputs()) {
            batch.put(outputKey(streamId, output.id()), ByteBuffer.allocate(8 + output.payload().length)
                    .putLong(output.eventTime()).put(output.payload()).array());
        }
        long committed = checkpoint.sinkCommittedThrough();
        if (committed != Points.NONE) {
            batch.deleteRange(outputKey(streamId, 0), outputKey(streamId, committed + 1));
        }
    }

    @Override
    public long sizeOnDisk() {
        try (Stream<Path> files = Files.list(directory)) {
            return files.mapToLong(file -> file.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        db.close();
        synced.close();
        options.close();
    }

    @Override
    public String toString() {
        return directory.toString();
    }

    private static ByteBuffer prefix(long streamId, byte kind, int more) {
        return ByteBuffer.allocate(9 + more).putLong(streamId).put(kind);
    }

    private static byte[] outputKey(long streamId, long sinkId) {
        return prefix(streamId, OUTPUT, 8).putLong(sinkId).array();
    }

    /** The state directory cannot be used; the message says why and what to do. */
    public static final class StateDirectoryException extends RuntimeException {
        public StateDirectoryException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
