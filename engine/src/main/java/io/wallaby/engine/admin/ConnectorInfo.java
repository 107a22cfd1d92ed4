package io.wallaby.engine.admin;

import java.time.Instant;

/** A connector that has said HELLO, as /status shows it. */
public record ConnectorInfo(String port, String program, String instance, String remoteAddress,
                            Instant connectedSince) {
}
