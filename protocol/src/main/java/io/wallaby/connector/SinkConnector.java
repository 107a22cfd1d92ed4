package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A blocking client for the engine's sink port: what a sink connector reads its data from.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 *   <li>{@link #connect(CommittedPoints)}: dials the engine (retrying with backoff until it is up), says
 *       HELLO and grants the engine a window of credits.</li>
 *   <li>{@link #read()} or {@link #readBatch} messages, store them durably, then {@link #commit} them. The
 *       commit acknowledges them to the engine and grants as many new credits as were used, so the engine
 *       sends at most a window's worth of uncommitted messages.</li>
 *   <li>{@link #close()}.</li>
 * </ol>
 *
 * <h2>Exactly once</h2>
 * When the engine announces a stream (NOTIFY), the connector answers with the point the sink has durably
 * committed: the larger of what {@link #commit} was told in this process and what {@link CommittedPoints}
 * says (read from the sink's store). The engine resumes right after it, and any message at or below it is
 * skipped here, never delivered. So a sink that stores its committed point in the same transaction as the
 * data never loses or doubles a row. When the engine goes away the connector dials it again with backoff
 * (100 ms doubling to 5 s); the engine then announces its streams again and redelivers.
 *
 * <h2>Several engines (a cluster)</h2>
 * With several engines in its settings ({@link ConnectorSettings#engines()}, {@code --engine-host a,b}),
 * the connector keeps a session with every one of them, each dialled and re-dialled with backoff on its own
 * (an engine that is not up yet is simply tried again, so one started later is picked up), and reads them
 * all as one: {@link #connect} returns once one engine has a session. Around a stream's move from one
 * engine to another both may deliver it for a while, from the same ids: each stream keeps one committed
 * point, whichever engine delivered it, and what is at or below it is skipped. A commit is acknowledged to
 * every engine that announced the stream, and credits go back to the engine whose messages used them. A
 * session follows a RESTART, unless another of its sessions already dials the address given: then it
 * reconnects to its own engine.
 *
 * <p>Engines may also be added while the connector runs ({@link #addEngine}, e.g. found by an
 * {@link EngineDiscovery}): each new one gets a link of its own, as the engines of the settings have. A link,
 * once made, is kept until the connector closes: an engine that is down is dialled again with backoff.
 *
 * <h2>A silent engine</h2>
 * An engine that freezes with its connection open (SIGSTOP, a hung machine, a network partition) is harmless
 * to a sink, which never waits on one engine: the others go on delivering, the streams of the frozen one move
 * to them once the cluster's group notices (they announce them, and the sink resumes each from its committed
 * point), and the frozen engine's session just stays quiet until it wakes or breaks; no timeout is needed.
 * One thing had to be seen to: around a move, the frozen engine had announced streams that another engine now
 * delivers, and every commit of those is acknowledged to both. Frames to an engine are written by its link's
 * own thread, and the acknowledgements that wait for a frozen engine are merged into one ({@link SinkOutput}),
 * so they neither fill its socket nor hold up the connector's thread.
 *
 * <h2>Threads</h2>
 * All methods are meant for one thread, the connector's own; {@link CommittedPoints} is called on it,
 * from inside {@code connect} and {@code read}. Internal threads (per engine, one that dials and then writes
 * what the connector sends, and one that receives frames) only hand frames to and from that thread.
 */
public final class SinkConnector implements AutoCloseable {

    /** Where the sink stands on each stream, from its own durable store. */
    @FunctionalInterface
    public interface CommittedPoints {
        /** The last message id durably committed on the stream, or {@link Frame#U64_MAX} when none. */
        long committedPoint(String streamName) throws Exception;
    }

    /**
     * How many messages the engine may send ahead of the sink's commits, unless told otherwise. Several
     * batches' worth, so the engine keeps sending while the sink commits: at 1000 only two batches of 500
     * were in flight and the sink spent more time waiting for messages than writing them.
     */
    public static final int DEFAULT_CREDIT_WINDOW = 10_000;

    private static final Logger log = LoggerFactory.getLogger(SinkConnector.class);

    private final int creditWindow;
    private final String instanceName;
    /** Every engine's events, in the order they came: the one thing the connector's thread waits on. */
    private final BlockingQueue<SinkLink.Event> inbox = new LinkedBlockingQueue<>();
    private final List<SinkLink> links = new ArrayList<>();
    /** Every engine a link was made for (a link's target may have moved since, after a RESTART). */
    private final Set<EngineAddress> dialled = new HashSet<>();
    private final Dialer dialer;
    private final Map<Long, String> streamNames = new HashMap<>();
    private final Map<Long, Long> committed = new HashMap<>();
    private CommittedPoints committedPoints;
    private volatile boolean closed;
    private boolean started;

    public SinkConnector(ConnectorSettings settings) {
        this(settings, DEFAULT_CREDIT_WINDOW);
    }

    /**
     * @throws ConfigurationException when {@code settings} name a TLS trust file that cannot be used
     */
    public SinkConnector(ConnectorSettings settings, int creditWindow) {
        this(settings, creditWindow, settings.engines());
    }

    /**
     * A connector that dials {@code engines} (none: only those {@link #addEngine added} later) with the cookie,
     * names, frame length and TLS of {@code settings}.
     *
     * @throws ConfigurationException when {@code settings} name a TLS trust file that cannot be used
     */
    public SinkConnector(ConnectorSettings settings, int creditWindow, List<EngineAddress> engines) {
        if (creditWindow < 1) {
            throw new IllegalArgumentException("creditWindow must be at least 1, was " + creditWindow);
        }
        this.dialer = new Dialer(settings, log);
        for (EngineAddress engine : engines) {
            if (dialled.add(engine)) {
                links.add(new SinkLink(dialer.toward(engine), inbox));
            }
        }
        this.creditWindow = creditWindow;
        this.instanceName = settings.instanceName();
    }

    /**
     * Dials the engine at {@code engine} too, unless this connector dials it already; from any thread. The link
     * is made on the connector's thread, at its next read (or during {@link #connect}, which returns once any
     * engine has a session, so a connector with no engine of its own waits there for one to be added).
     */
    public void addEngine(EngineAddress engine) {
        inbox.add(new SinkLink.Discovered(engine));
    }

    /** On the connector's thread: a link for an engine found while running, unless one dials it already. */
    private void addLink(EngineAddress engine) {
        if (closed || dialled.contains(engine) || links.stream().anyMatch(link -> link.target().equals(engine))) {
            return;
        }
        dialled.add(engine);
        SinkLink link = new SinkLink(dialer.toward(engine), inbox);
        links.add(link);
        log.info("dialling the engine at {}, found while running ({} engines now)", engine, links.size());
        if (started) {
            link.start();
        }
    }

    /**
     * Connects and says HELLO, retrying with backoff while no engine can be reached; with several engines,
     * returns once one has a session, the others being dialled meanwhile.
     *
     * @param committedPoints where the sink stands on each stream; asked each time an engine announces one
     * @throws ConnectorException when the engine refuses the HELLO (wrong cookie or version)
     */
    public void connect(CommittedPoints committedPoints) {
        this.committedPoints = committedPoints;
        startLinks();
        while (links.stream().noneMatch(SinkLink::isConnected)) {
            handle(nextEvent(-1)); // no message can come before a session
        }
    }

    private void startLinks() {
        if (!started) {
            started = true;
            links.forEach(SinkLink::start);
        }
    }

    /** Blocks until the next message the sink has not committed yet. */
    public SinkMessage read() {
        SinkMessage message;
        do {
            message = next(-1);
        } while (message == null);
        return message;
    }

    /**
     * Collects up to {@code max} messages, waiting at most {@code wait} in all.
     *
     * @return the messages, oldest first; empty when none arrived in time
     */
    public List<SinkMessage> readBatch(int max, Duration wait) {
        List<SinkMessage> batch = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (batch.size() < max) {
            SinkMessage message = next(deadline);
            if (message == null) {
                break;
            }
            batch.add(message);
        }
        return batch;
    }

    /**
     * Tells the engine that everything up to {@code point} on the stream is durably stored, and grants it
     * credits for every message received since the last grant. Call it after the sink's own commit.
     */
    public void commit(long streamId, long point) {
        commit(List.of(new Frame.StreamPoint(streamId, point)));
    }

    /** Commits the last message of each stream in {@code messages}. See {@link #commit(long, long)}. */
    public void commitMessages(List<SinkMessage> messages) {
        Map<Long, Long> last = new LinkedHashMap<>();
        for (SinkMessage m : messages) {
            last.put(m.streamId(), m.messageId());
        }
        List<Frame.StreamPoint> points = new ArrayList<>();
        last.forEach((stream, point) -> points.add(new Frame.StreamPoint(stream, point)));
        commit(points);
    }

    private void commit(List<Frame.StreamPoint> points) {
        List<Long> streams = new ArrayList<>();
        for (Frame.StreamPoint p : points) {
            committed.merge(p.streamId(), p.pointOfReference(),
                    (old, now) -> Points.isAfter(now, old) ? now : old);
            streams.add(p.streamId());
        }
        for (SinkLink link : links) {
            link.grant(streams, committed);
        }
    }

    /** The last point committed on the stream in this process or answered to the engine, or U64_MAX. */
    public long committedPoint(long streamId) {
        return committed.getOrDefault(streamId, Frame.U64_MAX);
    }

    /**
     * Makes a {@link #connect} that is waiting for a first engine throw a {@link ConnectorException}; from any
     * thread. Only for a connector that will be closed next: any later wait for an event throws too.
     */
    void stopConnecting() {
        inbox.add(new SinkLink.Closed());
    }

    @Override
    public void close() {
        closed = true;
        links.forEach(SinkLink::close);
        inbox.add(new SinkLink.Closed());
    }

    // ---- runtime ----

    /** The next deliverable message, or null when the deadline (System.nanoTime; -1: none) passed. */
    private SinkMessage next(long deadline) {
        startLinks();
        while (true) {
            for (SinkLink link : links) {
                if (link.owesCreditsForSkipped()) {
                    link.grant(List.of(), committed); // only skipped messages used credits: give them back now
                }
            }
            SinkLink.Event event = nextEvent(deadline);
            if (event == null) {
                return null;
            }
            SinkMessage message = handle(event);
            if (message != null) {
                return message;
            }
        }
    }

    /** The next event from any engine, or null when the deadline (System.nanoTime; -1: none) passed. */
    private SinkLink.Event nextEvent(long deadline) {
        if (closed) {
            throw new ConnectorException("this sink connector is closed");
        }
        try {
            return deadline < 0 ? inbox.take()
                    : inbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectorException("interrupted while reading from the engine", e);
        }
    }

    private SinkMessage handle(SinkLink.Event event) {
        if (event instanceof SinkLink.Received r) {
            return r.link().isCurrent(r.connection()) ? handle(r.link(), r.frame()) : null; // else a dropped session's
        } else if (event instanceof SinkLink.Connected c) {
            c.link().connected(c.connection(), c.output());
            log.info("connected to the engine at {} as {}", c.link().target(), instanceName);
            c.link().send(new Frame.Ack(creditWindow, List.of())); // when this fails, the link dials again
        } else if (event instanceof SinkLink.Ended e) {
            if (e.link().isCurrent(e.connection())) {
                e.link().drop();
            }
        } else if (event instanceof SinkLink.Discovered d) {
            addLink(d.engine());
        } else if (event instanceof SinkLink.Failed f) {
            throw f.failure();
        } else {
            throw new ConnectorException("this sink connector is closed");
        }
        return null;
    }

    private SinkMessage handle(SinkLink link, Frame frame) {
        switch (frame.type()) {
            case NOTIFY -> answerNotify(link, (Frame.Notify) frame);
            case MESSAGE -> {
                Frame.Message m = (Frame.Message) frame;
                link.received();
                String name = streamNames.get(m.streamId());
                if (name == null) {
                    log.warn("the engine at {} sent a message on stream {} without announcing it; reconnecting",
                            link.target(), Long.toUnsignedString(m.streamId()));
                    link.drop();
                    return null;
                }
                if (!Points.isAfter(m.messageId(), committedPoint(m.streamId()))) {
                    log.debug("skipping message {} on '{}': already committed", m.messageId(), name);
                    link.skipped(m.streamId(), m.messageId());
                    return null;
                }
                link.delivered();
                return new SinkMessage(name, m.streamId(), m.messageId(), m.key(), m.payload(), m.eventTime());
            }
            case EOS -> log.info("the engine ended stream '{}'", streamNames.get(((Frame.Eos) frame).streamId()));
            case ERROR -> {
                log.warn("the engine at {} ended the session: {}; reconnecting", link.target(),
                        ((Frame.Error) frame).reason());
                link.drop();
            }
            case RESTART -> {
                restart(link, ((Frame.Restart) frame).address());
                link.drop();
            }
            default -> {
                log.warn("the engine sent {}, which a sink connector never receives; reconnecting", frame.type());
                link.drop();
            }
        }
        return null;
    }

    /** Follows a RESTART, unless another session dials that address already: then this one dials its own again. */
    private void restart(SinkLink link, String address) {
        EngineAddress to = EngineAddress.ofRestart(address).orElse(null);
        for (SinkLink other : links) {
            if (other != link && other.target().equals(to)) {
                log.info("the engine at {} asked for a restart at {}, which this sink dials already; reconnecting to {}",
                        link.target(), to, link.target());
                return;
            }
        }
        link.restartAt(address);
    }

    private void answerNotify(SinkLink link, Frame.Notify notify) {
        long point;
        Long known = committed.get(notify.streamId());
        try {
            long stored = committedPoints.committedPoint(notify.streamName());
            point = known == null || (stored != Frame.U64_MAX && Points.isAfter(stored, known)) ? stored : known;
        } catch (Exception e) {
            throw new ConnectorException("cannot read the committed point of stream '" + notify.streamName()
                    + "' from the sink's store: " + e.getMessage(), e);
        }
        streamNames.put(notify.streamId(), notify.streamName());
        committed.put(notify.streamId(), point);
        link.announced(notify.streamId(), point);
        log.info("stream '{}' announced{}; resuming after {}", notify.streamName(),
                links.size() > 1 ? " by the engine at " + link.target() : "", Points.describe(point));
        link.send(new Frame.NotifyAck(true, notify.streamId(), point));
    }
}
