package io.wallaby.source.postgres.admin;

import java.util.Objects;

/**
 * What a running capture tells its admin port ({@link SourceAdminServer}): the capture implements it. Every
 * method is called from the admin port's HTTP threads, on every scrape or health check, concurrently with
 * the capture: implementations must be thread-safe and must not block (no JDBC, no waiting on the engine);
 * reading a few volatile or atomic fields is the intent.
 */
public interface SourceFigures {

    /** Messages written to the engine since the connector started; never decreases. */
    long messagesSent();

    /** Messages the engine acknowledged since the connector started (and the capture recorded); never decreases. */
    long messagesAcknowledged();

    /** Age in seconds of the oldest change sent and not yet acknowledged; 0 when every sent change is. */
    double lagSeconds();

    /**
     * Whether the capture runs with its PostgreSQL and engine connections up: {@link Health#OK}, or
     * {@link Health#down} with the reason, which {@code GET /health} answers with a 503.
     */
    Health health();

    /**
     * The capture's health: ok, or not with a reason a person can act on
     * ({@code "PostgreSQL connection lost: ...; reconnecting"}).
     */
    record Health(boolean ok, String reason) {

        /** Capturing, both connections up. */
        public static final Health OK = new Health(true, "ok");

        public Health {
            Objects.requireNonNull(reason, "reason");
            if (!ok && reason.isBlank()) {
                throw new IllegalArgumentException("a health that is not ok needs a reason");
            }
        }

        /** Not ok, for {@code reason}. */
        public static Health down(String reason) {
            return new Health(false, reason);
        }
    }
}
