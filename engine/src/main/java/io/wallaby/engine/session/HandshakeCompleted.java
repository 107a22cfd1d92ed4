package io.wallaby.engine.session;

import io.wallaby.protocol.Frame;

/** The user event {@link HandshakeHandler} fires once the connector's HELLO has been accepted. */
public record HandshakeCompleted(Frame.Hello hello) {

    /** The connector's program and instance names, for logs. */
    public String connector() {
        return hello.programName() + "/" + hello.instanceName();
    }
}
