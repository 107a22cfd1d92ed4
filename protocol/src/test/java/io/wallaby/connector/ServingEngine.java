package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.FrameReader;
import io.wallaby.protocol.FrameWriter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An engine of a cluster played by a test over real TCP, on threads of its own (where {@link FakeEngine} is
 * driven one frame at a time by the test): it accepts connections, answers each NOTIFY as the cluster's
 * {@link Placement} says (accepted at the stream's point, or RESTART to the owner then NOTIFY_ACK(false),
 * the owner "" while nobody owns the stream; NOTIFY_ACK(false) alone while the stream is open on another
 * connection), and processes MESSAGE frames as the engine does, into a
 * {@link Ledger} the engines of the cluster share: an id not above the stream's last one is a duplicate and
 * dropped, and a frame of a stream not open on its connection (in flight after a move) is dropped. Each frame
 * is answered at once with an ACK giving its credit back and the stream's point. A test can move a stream
 * away, freeze the engine (no ACK at all, so no credit), hold back its points (credit only), silence it (as a
 * process stopped with SIGSTOP: it reads nothing and answers nothing, not even a new connection's HELLO, and
 * its connections stay open), or kill it.
 */
final class ServingEngine implements AutoCloseable {

    /** Which engine owns each stream now; "" while nobody does (its partition is between owners). */
    static final class Placement {
        private final Map<Long, String> owners = new ConcurrentHashMap<>();

        void place(long stream, ServingEngine owner) {
            owners.put(stream, owner.address());
        }

        void unown(long stream) {
            owners.put(stream, "");
        }

        String ownerOf(long stream) {
            return owners.getOrDefault(stream, "");
        }
    }

    /** What the cluster processed, per stream: the ids in the order processed, each once. */
    static final class Ledger {
        private final Map<Long, List<Long>> processed = new HashMap<>();

        /** Processes a message unless its id is not above the stream's last one (a duplicate). */
        synchronized void process(long stream, long id) {
            List<Long> ids = processed.computeIfAbsent(stream, s -> new ArrayList<>());
            if (ids.isEmpty() || Long.compareUnsigned(id, ids.get(ids.size() - 1)) > 0) {
                ids.add(id);
            }
        }

        /** The last id processed, or U64_MAX when none. */
        synchronized long last(long stream) {
            List<Long> ids = processed.get(stream);
            return ids == null || ids.isEmpty() ? Frame.U64_MAX : ids.get(ids.size() - 1);
        }

        synchronized int count(long stream) {
            List<Long> ids = processed.get(stream);
            return ids == null ? 0 : ids.size();
        }

        synchronized List<Long> processed(long stream) {
            return List.copyOf(processed.getOrDefault(stream, List.of()));
        }

        /** Forgets what was processed above {@code point} (U64_MAX: everything): it was never acknowledged. */
        synchronized void rollBack(long stream, long point) {
            List<Long> ids = processed.getOrDefault(stream, new ArrayList<>());
            ids.removeIf(id -> point == Frame.U64_MAX || Long.compareUnsigned(id, point) > 0);
        }
    }

    /** One connector connection: the streams open on it. */
    private static final class Session {
        final Socket socket;
        final FrameWriter writer;
        final Set<Long> open = new HashSet<>();
        /** Credits spent by the connector's frames and not given back yet (while frozen). */
        long owed;

        Session(Socket socket) throws IOException {
            this.socket = socket;
            this.writer = new FrameWriter(socket.getOutputStream());
        }
    }

    private final Placement placement;
    private final Ledger ledger;
    private final long credits;
    private final ServerSocket server;
    private final List<Session> sessions = new ArrayList<>();
    /** How many NOTIFYs this engine answered with "nobody owns it", per stream. */
    private final Map<Long, Integer> unowned = new HashMap<>();
    /** The last point this engine acknowledged, per stream. */
    private final Map<Long, Long> acknowledged = new HashMap<>();
    private boolean frozen;
    private boolean holdingPoints;
    /** Silenced: no frame is handled, no HELLO answered, until woken (or closed). */
    private boolean silent;
    /** Killed: a frame read before the sockets closed is not handled. */
    private boolean killed;
    private boolean closed;
    /** Connections closed whose streams stay open here, as an engine that has not seen them closed yet. */
    private final List<Session> held = new ArrayList<>();
    private boolean holdingClosed;
    /** How many connections were accepted, and how many answered with OK (a connector's probes too). */
    private int accepted;
    private int hellos;
    /** How many NOTIFYs for each stream this engine handled, accepted or not. */
    private final Map<Long, Integer> notifies = new HashMap<>();

    ServingEngine(Placement placement, Ledger ledger, long credits) throws IOException {
        this.placement = placement;
        this.ledger = ledger;
        this.credits = credits;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "serving-engine-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    EngineAddress engineAddress() {
        return new EngineAddress("127.0.0.1", server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                synchronized (this) {
                    accepted++;
                }
                Thread reader = new Thread(() -> serve(socket), "serving-engine-session");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return; // killed
            }
        }
    }

    private void serve(Socket socket) {
        Session session = null;
        try (socket) {
            FrameReader reader = new FrameReader(socket.getInputStream());
            reader.read(); // HELLO
            session = new Session(socket);
            synchronized (this) {
                awaitAwake();
                if (killed || closed) {
                    return; // accepted as the listening socket was closing: a killed engine answers nothing
                }
                hellos++;
                sessions.add(session);
                session.writer.writeAndFlush(new Frame.Ok(credits));
            }
            while (true) {
                Frame frame = reader.read();
                synchronized (this) {
                    awaitAwake();
                    handle(session, frame);
                }
            }
        } catch (IOException e) {
            // the connector hung up, or the engine was killed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (this) {
                sessions.remove(session);
                if (holdingClosed && session != null && !session.open.isEmpty()) {
                    held.add(session);
                }
            }
        }
    }

    /** The stream is open on another connection, live or closed but held ({@link #holdClosedSessions()}). */
    private boolean isOpenElsewhere(Session session, long stream) {
        for (Session other : sessions) {
            if (other != session && other.open.contains(stream)) {
                return true;
            }
        }
        for (Session other : held) {
            if (other.open.contains(stream)) {
                return true;
            }
        }
        return false;
    }

    /** While silenced, the session's thread waits here (letting go of the engine's monitor), with a frame it read. */
    private void awaitAwake() throws InterruptedException {
        while (silent && !closed) {
            wait();
        }
    }

    private void handle(Session session, Frame frame) throws IOException {
        if (killed || closed) {
            return;
        }
        List<Frame.StreamPoint> points = new ArrayList<>();
        if (frame instanceof Frame.Notify notify) {
            notifies.merge(notify.streamId(), 1, Integer::sum);
            String owner = placement.ownerOf(notify.streamId());
            if (owner.equals(address()) && isOpenElsewhere(session, notify.streamId())) {
                session.writer.writeAndFlush(new Frame.NotifyAck(false, notify.streamId(), Frame.U64_MAX));
            } else if (owner.equals(address())) {
                session.open.add(notify.streamId());
                session.writer.writeAndFlush(new Frame.NotifyAck(true, notify.streamId(),
                        ledger.last(notify.streamId())));
            } else {
                if (owner.isEmpty()) {
                    unowned.merge(notify.streamId(), 1, Integer::sum);
                }
                redirect(session, notify.streamId(), owner);
            }
        } else if (frame instanceof Frame.Message message && session.open.contains(message.streamId())) {
            ledger.process(message.streamId(), message.messageId());
            points.add(new Frame.StreamPoint(message.streamId(), ledger.last(message.streamId())));
        } else if (frame instanceof Frame.Eos eos && session.open.remove(eos.streamId())) {
            points.add(new Frame.StreamPoint(eos.streamId(), ledger.last(eos.streamId())));
        }
        session.owed++; // every frame spends a credit, also one dropped
        if (!frozen) {
            acknowledge(session, points);
        }
    }

    /** Gives back the credits owed, with the points (none while they are held back). */
    private void acknowledge(Session session, List<Frame.StreamPoint> points) throws IOException {
        List<Frame.StreamPoint> told = holdingPoints ? List.of() : points;
        for (Frame.StreamPoint point : told) {
            acknowledged.put(point.streamId(), point.pointOfReference());
        }
        session.writer.writeAndFlush(new Frame.Ack(session.owed, told));
        session.owed = 0;
    }

    /** One ACK per connection: the credits owed and the point of every stream open there. */
    private void acknowledgeOpenStreams() throws IOException {
        for (Session session : sessions) {
            List<Frame.StreamPoint> points = new ArrayList<>();
            for (long stream : session.open) {
                points.add(new Frame.StreamPoint(stream, ledger.last(stream)));
            }
            acknowledge(session, points);
        }
    }

    private static void redirect(Session session, long stream, String owner) throws IOException {
        session.writer.write(new Frame.Restart(owner));
        session.writer.write(new Frame.NotifyAck(false, stream, 0));
        session.writer.flush();
    }

    /** The stream's partition moved: where it is open, the engine says so (RESTART to its owner, NOTIFY_ACK(false)). */
    synchronized void moveAway(long stream) throws IOException {
        for (Session session : sessions) {
            if (session.open.remove(stream)) {
                redirect(session, stream, placement.ownerOf(stream));
            }
        }
    }

    /** No more ACKs, so no more credit, as from an engine stopped with SIGSTOP, until {@link #thaw()}. */
    synchronized void freeze() {
        frozen = true;
    }

    synchronized void thaw() throws IOException {
        frozen = false;
        acknowledgeOpenStreams();
    }

    /**
     * As SIGSTOP: from now on nothing is handled, not even a new connection's HELLO, and nothing is sent; the
     * connections stay open, and the kernel still takes what connectors send, until {@link #wake()}.
     */
    synchronized void silence() {
        silent = true;
    }

    /** As SIGCONT: what was read meanwhile is handled, and new connections are answered. */
    synchronized void wake() {
        silent = false;
        notifyAll();
    }

    /**
     * From now on a connection that closes keeps its streams open here (a NOTIFY for one of them on another
     * connection is refused with NOTIFY_ACK(false), as the engine does) until {@link #releaseClosedSessions()}:
     * as an engine that sees the close only later, say one that has just been woken.
     */
    synchronized void holdClosedSessions() {
        holdingClosed = true;
    }

    /** The engine sees the connections closed: their streams may be opened again. */
    synchronized void releaseClosedSessions() {
        holdingClosed = false;
        held.clear();
    }

    /** How many connections this engine accepted, answered or not: a connector's connections and its probes. */
    synchronized int connections() {
        return accepted;
    }

    /** How many connections this engine answered with OK: a connector's connections and its probes. */
    synchronized int hellos() {
        return hellos;
    }

    /** How many NOTIFYs for the stream this engine handled. */
    synchronized int notifies(long stream) {
        return notifies.getOrDefault(stream, 0);
    }

    /** The credits spent and not given back (while frozen), over every connection. */
    synchronized long owedCredits() {
        return sessions.stream().mapToLong(s -> s.owed).sum();
    }

    /** ACKs give credit back but no points, so the connector's replay buffers fill, until {@link #releasePoints()}. */
    synchronized void holdPoints() {
        holdingPoints = true;
    }

    synchronized void releasePoints() throws IOException {
        holdingPoints = false;
        acknowledgeOpenStreams();
    }

    /** The last point this engine acknowledged on the stream, or U64_MAX when none. */
    synchronized long acknowledged(long stream) {
        return acknowledged.getOrDefault(stream, Frame.U64_MAX);
    }

    /** How many NOTIFYs for the stream this engine answered with "nobody owns it". */
    synchronized int unownedAnswers(long stream) {
        return unowned.getOrDefault(stream, 0);
    }

    /**
     * As kill -9: the listening socket and every connection close, connecting is refused from now on, and
     * what the engine processed without acknowledging it is lost (the next owner starts from its point).
     */
    synchronized void kill() throws IOException {
        killed = true;
        for (Session session : sessions) {
            for (long stream : session.open) {
                ledger.rollBack(stream, acknowledged(stream));
            }
        }
        close();
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (this) {
            closed = true;
            notifyAll();
            for (Session session : sessions) {
                session.socket.close();
            }
        }
    }
}
