package io.wallaby.engine.source;

import io.wallaby.engine.stream.SourceStream;
import io.wallaby.protocol.Frame;

/** A MESSAGE that the session accepted (open stream, new id): what the application step receives. */
public record AcceptedMessage(SourceStream stream, Frame.Message message) {
}
