package io.wallaby.protocol.netty;

import io.netty.handler.codec.DecoderException;
import io.wallaby.protocol.ProtocolException;

/** Finds the protocol violation behind an exception that Netty may have wrapped on its way up the pipeline. */
public final class ProtocolErrors {

    private ProtocolErrors() {
    }

    /** The {@link ProtocolException} behind {@code cause}, or {@code null} when it is something else (an I/O error). */
    public static ProtocolException protocolViolation(Throwable cause) {
        Throwable t = cause;
        while (t instanceof DecoderException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof ProtocolException p ? p : null;
    }
}
