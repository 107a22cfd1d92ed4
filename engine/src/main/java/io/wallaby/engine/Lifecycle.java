package io.wallaby.engine;

/** Where the engine is in its life, for /health and for sessions that must stop asking for work. */
public final class Lifecycle {

    public enum Phase { STARTING, ACCEPTING, DRAINING, STOPPED }

    private volatile Phase phase = Phase.STARTING;

    public Phase phase() {
        return phase;
    }

    /** Whether sources get credits and new connections are welcome. */
    public boolean acceptsWork() {
        return phase == Phase.ACCEPTING;
    }

    /** Why the engine does not accept work, for /health; empty while it does. */
    public String reason() {
        return switch (phase) {
            case STARTING -> "starting: the ports are not bound yet";
            case ACCEPTING -> "";
            case DRAINING -> "draining: delivering held outputs to sinks before stopping";
            case STOPPED -> "stopped";
        };
    }

    void moveTo(Phase next) {
        phase = next;
    }
}
