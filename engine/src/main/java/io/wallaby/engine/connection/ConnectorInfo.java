package io.wallaby.engine.connection;

import java.time.Instant;

/**
 * A connector that has said HELLO, as /status shows it. {@code name} ({@code program/instance@remoteAddress})
 * is how /status names the connection that holds a source or sink stream, so a reader can tell which
 * connector carries which stream.
 */
public record ConnectorInfo(String port, String program, String instance, String remoteAddress,
                            Instant connectedSince, String name) {
}
