package io.wallaby.engine.state;

import io.wallaby.engine.stream.OutputLog;

import java.util.List;

/**
 * One stream's checkpoint, as handed to a {@link CheckpointStore}: everything that changed since the
 * previous one. Written atomically, it moves the stream's stored image to {@code position}: the state
 * after the message {@code position} and every message before it, and the outputs of those messages
 * that a sink may not have committed.
 *
 * @param streamId         the source stream
 * @param streamName       its name, so that a restore can recreate it
 * @param position         the last message id the state includes
 * @param steps            per stateful step (by index in the pipeline), what changed; null where nothing did
 * @param outputs          outputs made since the previous checkpoint, in id order
 * @param sinkCommittedThrough the sink's committed point when the checkpoint was taken: outputs at or
 *                         below it are not needed any more ({@code Points.NONE}: none committed)
 */
public record Checkpoint(long streamId, String streamName, long position, List<StateChanges> steps,
                         List<OutputLog.Output> outputs, long sinkCommittedThrough) {

    /** Entries it changes: state entries and outputs, a measure of its work. */
    public int changes() {
        int changes = outputs.size();
        for (StateChanges step : steps) {
            if (step != null) {
                changes += step.size();
            }
        }
        return changes;
    }
}
