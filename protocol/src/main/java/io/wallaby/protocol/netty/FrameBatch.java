package io.wallaby.protocol.netty;

import io.wallaby.protocol.Frame;

import java.util.List;

/**
 * Several frames written to a channel as one: {@link FrameEncoder} encodes them into a single buffer, so a
 * burst of MESSAGE frames costs one pipeline pass, one promise and one outbound-buffer entry instead of one
 * of each per frame (per frame, those were most of the engine's cost of delivering to a sink).
 *
 * @param frames in the order they go on the wire; not empty
 */
public record FrameBatch(List<Frame> frames) {

    public FrameBatch {
        frames = List.copyOf(frames);
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("a frame batch holds at least one frame");
        }
    }

    public int size() {
        return frames.size();
    }
}
