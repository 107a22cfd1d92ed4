package io.wallaby.connector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each stream of a {@link SourceSession} is served, and the connection to each engine: one
 * {@link SourceConnection} at a time per engine, each with its own {@link Dialer} (and so its own backoff),
 * opened on first need, also for an engine that is not in the list the connector was given.
 *
 * <p>A stream is first placed on the first engine of the list. An engine's redirect places it on the
 * engine named; "no owner right now" leaves it unplaced until the session asks the next engine of the list
 * (round robin, after a backoff); an engine that cannot be reached passes it to the next engine of the
 * list. A RESTART on its own (today's meaning, a restart of the connection) moves every stream of that
 * engine to the address given and puts that address in the engine's place in the list. With one engine
 * and no redirects this is exactly one connection to it, as a connector always had.
 *
 * <p>One thread at a time dials an engine: a call that needs an engine being dialled waits for that dial
 * and takes its outcome, so that two streams of one engine make one connection, and a call never waits for
 * the dial of an engine it does not need.
 *
 * <p>Guarded by the connector's lock, except what {@code close()} reads without it: the links and each
 * link's connection.
 */
final class EngineRoutes {

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);

    /** Makes the {@link SourceConnection} of a new session with an engine. */
    interface Connections {
        SourceConnection open(EngineConnection link, EngineAddress engine);
    }

    /** One engine: its dialer, and its connection while there is one. */
    private static final class Link {
        final Dialer dialer;
        /** The last connection dialled, live or ended; null before the first. */
        volatile SourceConnection current;
        /** A thread dials the engine now (without the lock). */
        boolean dialling;
        /** How many dials ended, either way: a call that waited for one learns whether it failed. */
        long dials;

        Link(Dialer dialer) {
            this.dialer = dialer;
        }

        SourceConnection live() {
            SourceConnection on = current;
            return on != null && on.isLive() ? on : null;
        }
    }

    /** Where a stream is served: an engine, or null while no engine knows its owner; and its place in the list. */
    private static final class Place {
        EngineAddress at;
        int cursor;

        Place(EngineAddress at) {
            this.at = at;
        }
    }

    private final Dialer dialer;
    private final Connections connections;
    /** The engines the connector was given, in order; a RESTART on its own puts its address in the sender's place. */
    private final List<EngineAddress> engines;
    private final Map<EngineAddress, Link> links = new ConcurrentHashMap<>();
    /** Keyed by the OpenStream itself: a stream closed and opened again is placed afresh. */
    private final Map<OpenStream, Place> places = new HashMap<>();

    /**
     * @param dialer  the connector's dialer, from its settings: each engine's is made from it
     * @param engines the engines the connector was given, the first one first
     */
    EngineRoutes(Dialer dialer, List<EngineAddress> engines, Connections connections) {
        this.dialer = dialer;
        this.engines = new ArrayList<>(engines);
        this.connections = connections;
    }

    // ---- where streams are ----

    /** The live connection of the engine the stream is placed on; null when none or while unplaced. */
    SourceConnection liveFor(OpenStream stream) {
        EngineAddress at = place(stream).at;
        Link link = at == null ? null : links.get(at);
        return link == null ? null : link.live();
    }

    /**
     * The stream is open on a live connection: accepted there, not moved away since, and its replay done (no
     * thread is opening it), so that new frames may follow.
     */
    boolean isOpen(OpenStream stream) {
        SourceConnection on = liveFor(stream);
        return on != null && on.streams().hasAccepted(stream) && !stream.isOpening();
    }

    boolean isPlacedOn(OpenStream stream, SourceConnection on) {
        return on.engine().equals(place(stream).at);
    }

    /** No engine knows the stream's owner right now (its partition is between owners). */
    boolean isUnplaced(OpenStream stream) {
        return place(stream).at == null;
    }

    /** The engine the stream is placed on, for log lines; null while unplaced. */
    EngineAddress engineOf(OpenStream stream) {
        return place(stream).at;
    }

    /**
     * {@code from}'s engine redirected the stream (RESTART then NOTIFY_ACK(false)): it is placed on the engine
     * the address names, or, when the address is empty (or not host:port), left unplaced: no engine knows its
     * owner right now, and the session asks again after a backoff ({@link #askNext}).
     *
     * @param wasOpen the stream was open on {@code from}, which moved it away; else it answers its NOTIFY
     */
    void redirect(OpenStream stream, SourceConnection from, String address, boolean wasOpen) {
        EngineAddress to = EngineAddress.ofRestart(address).orElse(null);
        if (to == null && !address.isEmpty()) {
            log.warn("the engine at {} redirected stream '{}' to '{}', which is not host:port; asking again",
                    from.engine(), stream.name(), address);
        }
        place(stream).at = to;
        String where = to == null ? "no engine knows its owner right now; asking again after a backoff"
                : "its owner is " + to;
        if (wasOpen) {
            log.info("the engine at {} no longer serves stream '{}': {}; reopening it and replaying its {} "
                    + "unacknowledged messages", from.engine(), stream.name(), where, stream.unacknowledgedCount());
        } else {
            log.info("the engine at {} does not serve stream '{}': {}", from.engine(), stream.name(), where);
        }
    }

    /** Places the stream on the next engine of the list (round robin), which will redirect it or take it. */
    void askNext(OpenStream stream) {
        Place place = place(stream);
        place.cursor = (place.cursor + 1) % engines.size();
        place.at = engines.get(place.cursor);
    }

    /**
     * A RESTART on its own from {@code from}'s engine: its streams move to {@code to}, which takes the
     * engine's place in the list (so new streams and round robins go there, as the one address of a
     * connector without a cluster always did).
     */
    void restartAt(SourceConnection from, EngineAddress to) {
        EngineAddress was = from.engine();
        int index = engines.indexOf(was);
        if (index >= 0) {
            if (engines.contains(to)) {
                if (engines.size() > 1) {
                    engines.remove(index);
                }
            } else {
                engines.set(index, to);
            }
        }
        for (Place place : places.values()) {
            if (was.equals(place.at)) {
                place.at = to;
            }
            place.cursor = Math.min(place.cursor, engines.size() - 1);
        }
    }

    /**
     * The connector gave up {@code on}, whose engine stayed silent (see {@link SourceConnector}, "A silent
     * engine"): each stream placed on that engine is placed on the next engine of the list other than it (with
     * one engine, the same one), which takes it or redirects it to its owner. An engine cut off or frozen long
     * enough for the cluster to move its partitions (the group's session timeout) no longer owns them; until
     * then the others redirect to it, and dialling it again fails or waits like any unreachable engine's.
     *
     * @return the streams placed on that engine, in the order opened
     */
    List<OpenStream> giveUp(SourceConnection on, List<OpenStream> open) {
        EngineAddress engine = on.engine();
        List<OpenStream> moved = new ArrayList<>();
        for (OpenStream stream : open) {
            Place place = places.get(stream);
            if (place == null || !engine.equals(place.at)) {
                continue;
            }
            moved.add(stream);
            for (int i = 0; i < engines.size() && engine.equals(place.at); i++) {
                askNext(stream);
            }
        }
        return moved;
    }

    /** How this connector dials {@code engine} (for a probe of it). */
    ConnectorSettings target(EngineAddress engine) {
        Link link = links.get(engine);
        return link == null ? dialer.target().withAddress(engine) : link.dialer.target();
    }

    void forget(OpenStream stream) {
        places.remove(stream);
        for (SourceConnection on : connections()) {
            on.streams().forget(stream);
        }
    }

    private Place place(OpenStream stream) {
        return places.computeIfAbsent(stream, s -> new Place(engines.get(0)));
    }

    // ---- connections ----

    /**
     * The live connection of the stream's engine, dialling it (one attempt) when there is none, or waiting
     * for the dial another call makes.
     *
     * @return null when the engine could not be reached: the dialer said so and waited its backoff, and
     *         the stream is passed to the next engine of the list
     */
    SourceConnection connect(OpenStream stream, SourceCall call) {
        if (isUnplaced(stream)) {
            askNext(stream);
        }
        SourceConnection on = connect(place(stream).at, call);
        if (on == null) {
            askNext(stream);
        }
        return on;
    }

    /** A live connection to some engine, trying those of the list in turn until one answers (for connect()). */
    void connectAny(SourceCall call) {
        for (int i = 0; ; i = (i + 1) % engines.size()) {
            if (!connections().isEmpty() || connect(engines.get(i), call) != null) {
                return;
            }
        }
    }

    private SourceConnection connect(EngineAddress engine, SourceCall call) {
        Link link = links.computeIfAbsent(engine, e -> new Link(dialer.toward(e)));
        long dialsBefore = link.dials;
        while (link.dialling) {
            call.await(100);
            call.checkTime();
        }
        SourceConnection on = link.live();
        if (on != null) {
            return on;
        }
        if (link.dials != dialsBefore) {
            return null; // the dial waited for failed, and waited its backoff: as if this call had made it
        }
        EngineConnection opened;
        link.dialling = true;
        try {
            opened = link.dialer.attempt(call);
        } finally {
            link.dialling = false;
            link.dials++;
            call.signalAll();
        }
        if (opened == null) {
            return null;
        }
        if (call.connectorClosed()) {
            opened.close(); // closed while dialling: close() has let go of the connections it saw
            throw new ConnectorException("this source connector is closed");
        }
        on = connections.open(opened, engine);
        link.current = on;
        log.info("connected to the engine at {} as {} ({} credits)", engine, dialer.target().instanceName(),
                on.credits());
        on.start();
        return on;
    }

    /** Whether a dial ever succeeded, to any engine: from then on a refusal is retried. */
    boolean hasConnected() {
        return dialer.hasConnected();
    }

    /** The live connections; without the lock too (the flusher, close()). */
    List<SourceConnection> connections() {
        List<SourceConnection> live = new ArrayList<>();
        for (Link link : links.values()) {
            SourceConnection on = link.live();
            if (on != null) {
                live.add(on);
            }
        }
        return live;
    }

    /** The engines of the list, for a log line. */
    String describe() {
        return engines.size() == 1 ? engines.get(0).toString() : engines.toString();
    }
}
