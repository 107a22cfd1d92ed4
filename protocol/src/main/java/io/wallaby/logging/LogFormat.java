package io.wallaby.logging;

import org.slf4j.LoggerFactory;

/**
 * How log lines look, for the engine and every connector ({@code --log-format}): {@code text} for people,
 * {@code json} (one object per line, MDC included) for log shippers.
 */
public enum LogFormat {
    // Lower case: these are the values written after --log-format.
    text,
    json;

    private static final String LOGBACK = "ch.qos.logback.classic.LoggerContext";

    /**
     * Switches the console appenders of the running logback configuration to this format; text is what
     * logback starts with. Only the encoder changes, so each program keeps its own targets (the engine logs
     * to stdout, connectors to stderr, since a sink's stdout carries data) and levels.
     */
    public void apply() {
        if (this == text) {
            return;
        }
        // Checked by name: logback is an optional dependency of the SDK, and its classes load only if present.
        if (!LOGBACK.equals(LoggerFactory.getILoggerFactory().getClass().getName())) {
            LoggerFactory.getLogger(LogFormat.class).warn("--log-format {} needs logback as the SLF4J backend; "
                    + "logging stays as configured", this);
            return;
        }
        LogbackSetup.useJsonEncoder();
    }

    /**
     * Puts {@code program/instance} into the MDC (key {@code connector}) of every line logged from now on,
     * on any thread. Needs logback; a no-op otherwise.
     */
    public static void identify(String program, String instance) {
        if (LOGBACK.equals(LoggerFactory.getILoggerFactory().getClass().getName())) {
            LogbackSetup.identify(program + "/" + instance);
        }
    }
}
