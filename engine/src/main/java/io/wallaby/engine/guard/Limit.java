package io.wallaby.engine.guard;

/** A limit a peer can run into, with the option that raises it. */
public enum Limit {
    CONNECTIONS("--max-connections"),
    HANDSHAKE_TIMEOUT("--handshake-timeout"),
    IDLE_TIMEOUT("--idle-timeout"),
    STREAMS_PER_CONNECTION("--max-streams-per-connection");

    private final String option;

    Limit(String option) {
        this.option = option;
    }

    public String option() {
        return option;
    }

    /** The metric tag: {@code handshake_timeout}. */
    public String kind() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
