package io.wallaby.engine.process;

import io.wallaby.engine.state.Checkpoint;
import io.wallaby.engine.state.Checkpointer;
import io.wallaby.engine.state.StateChanges;
import io.wallaby.engine.state.StreamState;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.OutputLog;
import io.wallaby.engine.stream.SinkIds;
import io.wallaby.engine.stream.SourceStream;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The application step of one source stream, run on the stream's {@link Lane}: each accepted message goes
 * through the {@link PipelineRunner} with the stream's state, its outputs into the stream's output log with
 * the ids of {@link SinkIds}, and the message is recorded as in flight. A message the application rejects
 * is written to the {@link DeadLetterFile} (fsynced) before it counts as processed; when the dead letter
 * cannot be written the message is held (the stream's acknowledgements stop before it, the source keeps it).
 *
 * <p>Stateful pipelines: every checkpoint interval (and at EOS and drain) the processor takes a
 * {@link Checkpoint} of what changed (state, outputs since the last one, the position) and hands it to the
 * {@link Checkpointer}; once it is durable the stream may acknowledge up to its position.
 *
 * <p>Lane-confined, except the two positions read by the drain.
 */
public final class StreamProcessor {

    private static final Logger log = LoggerFactory.getLogger(StreamProcessor.class);

    private final SourceStream stream;
    private final PipelineRunner runner;
    private final EngineCounters counters;
    private final DeadLetterFile deadLetters;
    private final Lane lane;
    /** Null for a stateless pipeline, with {@link #checkpointer}. */
    private final StreamState state;
    private final Checkpointer checkpointer;
    private List<OutputLog.Output> outputsSinceCheckpoint = new ArrayList<>();
    private volatile long position = Points.NONE;
    private volatile long checkpointed = Points.NONE;
    private boolean checkpointInFlight;
    /** A checkpoint that could not be written: the next one carries its changes too. */
    private Checkpoint unwritten;
    private boolean held;
    private boolean ending;
    private long lastCheckpointNanos = System.nanoTime();
    /** Set by {@link #finish}: completed once the last checkpoint is durable (true) or cannot be (false). */
    private CompletableFuture<Boolean> finishing;

    StreamProcessor(SourceStream stream, PipelineRunner runner, EngineCounters counters, DeadLetterFile deadLetters,
                    Lane lane, StreamState state, Checkpointer checkpointer) {
        this.stream = stream;
        this.runner = runner;
        this.counters = counters;
        this.deadLetters = deadLetters;
        this.lane = lane;
        this.state = state;
        this.checkpointer = checkpointer;
    }

    public SourceStream stream() {
        return stream;
    }

    Lane lane() {
        return lane;
    }

    StreamState state() {
        return state;
    }

    /** Restored from a checkpoint at {@code position}; before the lane runs anything for it. */
    void restoredAt(long position) {
        this.position = position;
        this.checkpointed = position;
    }

    /**
     * Runs {@code frames} (accepted MESSAGE and EOS frames of this stream, in order) on the stream's lane, offers
     * a checkpoint, then runs {@code then}. Any thread.
     */
    public void handOver(List<Frame> frames, Runnable then) {
        lane.execute(() -> {
            for (Frame frame : frames) {
                if (frame instanceof Frame.Message message) {
                    process(message);
                } else if (frame instanceof Frame.Eos) {
                    endOfStream();
                }
            }
            checkpoint(false);
            then.run();
        });
    }

    /** Runs one accepted message. On the lane. */
    void process(Frame.Message message) {
        long id = message.messageId();
        ending = false;
        PipelineRunner.Outcome outcome = runner.run(stream.name(), id, message.payload(), state);
        if (outcome.failure() != null && !deadLetter(message, outcome.failure())) {
            stream.hold(id);
            held = true;
            counters.countProcessed(0);
            return;
        }
        List<byte[]> payloads = outcome.payloads();
        if (!payloads.isEmpty()) {
            List<OutputLog.Output> outputs = new ArrayList<>(payloads.size());
            for (int k = 0; k < payloads.size(); k++) {
                outputs.add(new OutputLog.Output(SinkIds.of(id, k), message.eventTime(), payloads.get(k)));
            }
            // Outputs first, in-flight entry second: a commit can then never miss the entry.
            stream.outputs().append(outputs);
            if (state != null) {
                outputsSinceCheckpoint.addAll(outputs);
            }
        }
        position = id;
        stream.processed(id, !payloads.isEmpty(), SinkIds.of(id, Math.max(0, payloads.size() - 1)));
        counters.countProcessed(payloads.size());
    }

    /** EOS: checkpoint now, so that the stream's last acknowledgement need not wait for the interval. On the lane. */
    void endOfStream() {
        ending = true;
        checkpoint(true);
        stream.endOfStream();
    }

    /**
     * Takes a checkpoint when the stream is stateful, has moved since the last one, none is being written,
     * and the interval has passed (or {@code now}). On the lane.
     */
    void checkpoint(boolean now) {
        if (state == null || held || checkpointInFlight || (position == checkpointed && unwritten == null)) {
            return;
        }
        long started = System.nanoTime();
        if (!now && started - lastCheckpointNanos < checkpointer.figures().interval().toNanos()) {
            return;
        }
        List<StateChanges> changes = state.takeChanges();
        List<OutputLog.Output> outputs = outputsSinceCheckpoint;
        outputsSinceCheckpoint = new ArrayList<>();
        if (unwritten != null) {
            changes = merged(unwritten.steps(), changes);
            List<OutputLog.Output> all = new ArrayList<>(unwritten.outputs());
            all.addAll(outputs);
            outputs = all;
            unwritten = null;
        }
        Checkpoint checkpoint = new Checkpoint(stream.id(), stream.name(), position, changes, outputs,
                stream.outputs().committed());
        checkpointInFlight = true;
        lastCheckpointNanos = started;
        checkpointer.write(checkpoint, started, written -> lane.execute(() -> written(checkpoint, written)));
    }

    private void written(Checkpoint checkpoint, boolean durable) {
        checkpointInFlight = false;
        if (durable) {
            checkpointed = checkpoint.position();
            stream.checkpointed(checkpoint.position());
        } else {
            unwritten = checkpoint;
        }
        if (ending) {
            checkpoint(true);
        }
        continueFinishing(!durable);
    }

    /**
     * The stream leaves this engine (its cluster partition was revoked): a last checkpoint of everything
     * processed, so that the next owner replays as little as possible. {@code done} gets true once it is
     * durable (or nothing needed one), false when it cannot be written; one attempt, no retries. On the lane,
     * after every message handed over before.
     */
    void finish(CompletableFuture<Boolean> done) {
        finishing = done;
        continueFinishing(false);
    }

    private void continueFinishing(boolean lastFailed) {
        if (finishing == null || finishing.isDone()) {
            return;
        }
        if (state == null || position == checkpointed) {
            finishing.complete(true);
        } else if (held || lastFailed) {
            finishing.complete(false);
        } else if (!checkpointInFlight) {
            checkpoint(true);
        }
    }

    /** Whether everything processed is in a durable checkpoint (always, for a stateless pipeline). Any thread. */
    boolean checkpointed() {
        return state == null || held || position == checkpointed;
    }

    private static List<StateChanges> merged(List<StateChanges> older, List<StateChanges> newer) {
        List<StateChanges> merged = new ArrayList<>(newer.size());
        for (int i = 0; i < newer.size(); i++) {
            StateChanges old = older.get(i);
            merged.add(old == null ? newer.get(i) : old.under(newer.get(i)));
        }
        return merged;
    }

    /** Writes the dead letter; false (after an ERROR line) when it could not be made durable. */
    private boolean deadLetter(Frame.Message message, String reason) {
        try {
            deadLetters.write(stream.name(), message.messageId(), reason, message.payload());
            return true;
        } catch (IOException | RuntimeException e) {
            log.error("Stream {} message {}: cannot write the dead letter to {} ({}); the message is held "
                    + "unacknowledged, so the stream's acknowledgements stop here until the engine restarts "
                    + "and the source sends it again", stream, Long.toUnsignedString(message.messageId()),
                    deadLetters, e.toString());
            return false;
        }
    }

    @Override
    public String toString() {
        return stream.name();
    }
}
