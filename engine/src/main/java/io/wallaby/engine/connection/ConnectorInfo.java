package io.wallaby.engine.connection;

import java.time.Instant;

/** A connector that has said HELLO, as /status shows it. */
public record ConnectorInfo(String port, String program, String instance, String remoteAddress,
                            Instant connectedSince) {
}
