package io.wallaby.engine.admin;

/** Where the engine is in its life, as /health and /status show it. The server process keeps it. */
public interface Health {

    /** The phase, as /status names it: {@code starting}, {@code accepting}, {@code draining} or {@code stopped}. */
    String phase();

    /** Whether sources get credits and new connections are welcome: /health answers 200 then, 503 otherwise. */
    boolean acceptsWork();

    /** Why the engine does not accept work, for /health; empty while it does. */
    String reason();
}
