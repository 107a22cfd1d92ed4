package io.wallaby.engine.state;

import io.wallaby.api.Pipeline;
import io.wallaby.api.Step;

import java.util.ArrayList;
import java.util.List;

/**
 * The working state of one source stream: one {@link StepState} per stateful step of the pipeline (null
 * at a stateless step's index). Confined to the stream's lane thread.
 */
public final class StreamState {

    private final List<StepState> steps;

    public StreamState(Pipeline pipeline) {
        List<StepState> states = new ArrayList<>(pipeline.steps().size());
        for (Step step : pipeline.steps()) {
            if (step instanceof Step.Keyed keyed) {
                states.add(new KeyedValues(keyed.keys(), keyed.states()));
            } else if (step instanceof Step.Windowed windowed) {
                states.add(new WindowedValues(windowed.windows(), windowed.aggregation(), windowed.keys(),
                        windowed.accumulators()));
            } else {
                states.add(null);
            }
        }
        this.steps = states;
    }

    /** The state of step {@code index}, or null for a stateless step. */
    public StepState step(int index) {
        return steps.get(index);
    }

    /** What changed since the last call, per step (null where nothing did). */
    public List<StateChanges> takeChanges() {
        List<StateChanges> changes = new ArrayList<>(steps.size());
        for (StepState step : steps) {
            changes.add(step == null ? null : step.takeChanges());
        }
        return changes;
    }

    /** Puts back one entry of step {@code index} as a checkpoint stored it. */
    public void restore(int index, byte[] key, byte[] value) {
        if (index >= steps.size() || steps.get(index) == null) {
            throw new IllegalStateException("the checkpoint holds state of step " + index + ", which is not a "
                    + "stateful step of this application: was the state directory written by another application? "
                    + "Start with an empty --state-dir");
        }
        steps.get(index).restore(key, value);
    }

    /** Entries held across steps, for /status. */
    public long size() {
        long size = 0;
        for (StepState step : steps) {
            if (step != null) {
                size += step.size();
            }
        }
        return size;
    }
}
