package io.wallaby.engine;

import io.wallaby.engine.admin.Health;

import java.util.Locale;

/**
 * Where the engine is in its life, for /health and for sessions that must stop asking for work. The
 * packages below read it through what they need (the source sessions as a {@code BooleanSupplier}, the
 * admin port as its {@link Health}), so that none of them depends on the server process.
 */
public final class Lifecycle implements Health {

    public enum Phase { STARTING, ACCEPTING, DRAINING, STOPPED }

    private volatile Phase phase = Phase.STARTING;

    @Override
    public String phase() {
        return phase.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean acceptsWork() {
        return phase == Phase.ACCEPTING;
    }

    @Override
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
