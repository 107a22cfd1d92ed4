package io.wallaby.engine.source;

import io.wallaby.engine.stream.SourceStream;
import io.wallaby.protocol.Frame;

/** An EOS the session accepted: goes to the application step behind the stream's earlier messages. */
public record StreamEnded(SourceStream stream, Frame.Eos eos) {
}
