package io.wallaby.engine.state;

import io.wallaby.engine.stream.OutputLog;

import java.io.IOException;

/**
 * Where checkpoints are kept. One small interface, so that the place can change (a local RocksDB today,
 * a compacted Kafka topic for a cluster) without the engine noticing.
 *
 * <p>Thread-safety: {@link #write} is called by one checkpoint thread at a time; {@link #restore} before
 * any write of the streams it restores (at start-up; in a cluster, when a partition is assigned).
 */
public interface CheckpointStore extends AutoCloseable {

    /** Receives what a restore finds, stream by stream: first the stream, then its state and outputs. */
    interface Restorer {

        /** A stream with a checkpoint at {@code position}. */
        void stream(long streamId, String name, long position);

        /** One entry of step {@code step}'s state. */
        void state(long streamId, int step, byte[] key, byte[] value);

        /** An output that a sink may not have committed, in id order within its stream. */
        void output(long streamId, OutputLog.Output output);
    }

    /** Feeds every stream's last checkpoint to {@code restorer}. */
    void restore(Restorer restorer) throws IOException;

    /**
     * Applies {@code checkpoint} atomically (all of it or nothing) and durably (on disk when this returns).
     *
     * @return the bytes written
     */
    long write(Checkpoint checkpoint) throws IOException;

    /** Bytes the store holds on this machine's disk, about; -1 when it keeps them elsewhere (a Kafka topic). */
    long sizeOnDisk();

    @Override
    void close();
}
