package io.wallaby.connector;

import org.slf4j.Logger;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How a connector reaches an engine, for sources and sinks alike: where to dial (the settings, moved by a
 * RESTART; a connector of several engines has a dialer for each, made by {@link #toward}), plain TCP or
 * TLS (the settings' {@code tlsTrust}), retrying with backoff (100 ms doubling to 5 s, back to the start
 * after a success), and the refusal rule:
 * <ul>
 *   <li>refused before this connector ever had a session: a wrong cookie or version, which retrying
 *       cannot mend, so a {@link ConnectorException} saying what to check;</li>
 *   <li>refused on a reconnection: the same cookie and version worked before, so the engine is most
 *       likely still starting (or its admin is mid-change): retried with backoff like an unreachable
 *       engine.</li>
 * </ul>
 * The connector supplies a {@link Side}: what it checks before each attempt, what it lets go of while a
 * connect blocks, and how it waits between attempts. Log lines go to the connector's own logger, which is
 * what launchers and operators watch.
 */
final class Dialer {

    /** What differs between the connectors that dial: a source holds a lock that its reader thread needs. */
    interface Side {
        /** Before each attempt: throws a {@link ConnectorException} when a session is no longer wanted. */
        void checkWanted();

        /** Runs the connect (seconds at worst) without holding what the connector's other threads need. */
        EngineConnection unlocked(Attempt attempt) throws IOException;

        /** Waits {@code millis} before the next attempt; may return early when the connector is closed. */
        void pause(long millis);
    }

    /** One connect and handshake. */
    interface Attempt {
        EngineConnection open() throws IOException;
    }

    private final Logger log;
    private final Backoff backoff = Backoff.standard();
    /** Written by whichever thread reads a RESTART (the source's reader thread), read by the dialling one. */
    private volatile ConnectorSettings target;
    /** Whether a dial ever succeeded, to any engine: shared by the dialers of one connector ({@link #toward}). */
    private final AtomicBoolean connectedOnce;

    /**
     * @param log the connector's logger
     * @throws ConfigurationException when {@code settings} name a TLS trust file that cannot be used: said
     *                                now, when the connector is built, rather than as endless retries
     */
    Dialer(ConnectorSettings settings, Logger log) {
        this(settings, log, new AtomicBoolean());
        if (settings.tlsTrust() != null) {
            TlsTrust.socketFactory(settings.tlsTrust());
        }
    }

    private Dialer(ConnectorSettings settings, Logger log, AtomicBoolean connectedOnce) {
        this.target = settings;
        this.log = log;
        this.connectedOnce = connectedOnce;
    }

    /**
     * A dialer for another engine of the same connector (a cluster's): the same settings but that address,
     * a backoff of its own, and the same refusal rule, which looks at every engine: once the connector had
     * a session with any of them, its cookie and version are right, and a refusal is retried.
     */
    Dialer toward(EngineAddress engine) {
        return new Dialer(target.withAddress(engine), log, connectedOnce);
    }

    /**
     * Connects and completes the HELLO/OK handshake, retrying with backoff until it succeeds.
     *
     * @throws ConnectorException when the engine refuses a connector that never had a session, or from
     *                            {@link Side#checkWanted()}
     */
    EngineConnection dial(Side side) {
        while (true) {
            EngineConnection opened = attempt(side);
            if (opened != null) {
                return opened;
            }
        }
    }

    /**
     * One connect and handshake; when it fails, says so, waits the backoff's next delay and returns null, so
     * that the caller may try another engine next.
     *
     * @throws ConnectorException when the engine refuses a connector that never had a session, or from
     *                            {@link Side#checkWanted()}
     */
    EngineConnection attempt(Side side) {
        side.checkWanted();
        ConnectorSettings settings = target;
        try {
            EngineConnection opened = side.unlocked(() -> EngineConnection.open(settings));
            backoff.reset();
            connectedOnce.set(true);
            return opened;
        } catch (EngineConnection.RefusedException e) {
            if (!connectedOnce.get()) {
                throw new ConnectorException("the engine at " + settings.engineHost() + ":" + settings.enginePort()
                        + " refused this connector: " + e.getMessage() + "; check --cookie and the versions");
            }
            log.warn("the engine refused the reconnection ({}); retrying in {} ms", e.getMessage(),
                    backoff.nextDelayMillis());
        } catch (IOException e) {
            log.warn("cannot reach the engine at {}:{} ({}); retrying in {} ms", settings.engineHost(),
                    settings.enginePort(), e.getMessage(), backoff.nextDelayMillis());
        }
        side.pause(backoff.next());
        return null;
    }

    /**
     * Follows a RESTART: the next {@link #dial} goes to {@code address} ("host:port"), or to the same
     * address when it is empty or not an address (see {@link #restartAddress}).
     */
    void restartAt(String address) {
        restartAddress(address).ifPresent(engine -> {
            target = target.withAddress(engine);
            log.info("the engine asked for a restart at {}; reconnecting there", address);
        });
    }

    /**
     * What a RESTART's address means: the engine it names; or empty, meaning "here again", when it is empty
     * or not host:port (no host, no port, a port outside 1-65535). The latter is logged and ignored: dialling
     * it could only fail, and the engine that sent it is known.
     */
    Optional<EngineAddress> restartAddress(String address) {
        if (address.isEmpty()) {
            log.info("the engine asked for a restart; reconnecting");
            return Optional.empty();
        }
        Optional<EngineAddress> engine = EngineAddress.ofRestart(address);
        if (engine.isEmpty()) {
            log.warn("the engine asked for a restart at '{}', which is not host:port; reconnecting to the same address",
                    address);
        }
        return engine;
    }

    /** Where the next {@link #dial} goes, and how it introduces itself. */
    ConnectorSettings target() {
        return target;
    }

    /** Whether a dial ever succeeded (to any engine of the connector): from then on a refusal is retried. */
    boolean hasConnected() {
        return connectedOnce.get();
    }
}
