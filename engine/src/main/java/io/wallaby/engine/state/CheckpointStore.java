package io.wallaby.engine.state;

import io.wallaby.engine.stream.OutputLog;

import java.io.IOException;
import java.util.List;

/**
 * Where checkpoints are kept. One small interface, so that the place can change (a local RocksDB today,
 * a compacted Kafka topic for a cluster) without the engine noticing.
 *
 * <p>Thread-safety: {@link #write(List)} is called by one checkpoint thread at a time; {@link #restore} before
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
     * Applies {@code checkpoints}, of different streams, atomically (all of them or none) and durably (on disk, or
     * committed to the brokers, when this returns): one write for what several streams' lanes took meanwhile, so
     * that the cost of making it durable (an fsync, a Kafka transaction) is paid once for them all.
     *
     * @return the bytes written
     */
    long write(List<Checkpoint> checkpoints) throws IOException;

    /** {@link #write(List)} of one checkpoint. */
    default long write(Checkpoint checkpoint) throws IOException {
        return write(List.of(checkpoint));
    }

    /** Bytes the store holds on this machine's disk, about; -1 when it keeps them elsewhere (a Kafka topic). */
    long sizeOnDisk();

    @Override
    void close();
}
