package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The sending side of one {@link SinkLink} session: the frames the connector's thread gives it (ACKs and
 * NOTIFY_ACKs) are written to the socket by the link's own thread, so that an engine that stops reading (frozen
 * by SIGSTOP, a hung machine, cut off with its connection open) holds up nothing but its own session. Before,
 * the connector's one thread wrote them itself, and once a frozen engine's socket buffers were full of the
 * acknowledgements of streams it had announced (around a move the old and the new owner both did), that thread
 * blocked, and with it the sink and every engine that fed it.
 *
 * <p>What waits is coalesced: ACKs are cumulative (their credits add up, and a stream's later committed point
 * replaces its earlier one), so an ACK given while the one before it still waits joins it. A frozen engine's
 * session thus holds one ACK, however long it stays frozen and however many commits the sink makes; when the
 * engine wakes it reads what its socket holds, then that ACK, which tells it the latest points.
 */
final class SinkOutput {

    private static final Logger log = LoggerFactory.getLogger(SinkConnector.class);

    private final EngineConnection connection;
    private final EngineAddress engine;
    private final ArrayDeque<Frame> pending = new ArrayDeque<>();
    /** The session is over: what waits is dropped, nothing more is written. */
    private boolean ended;
    /** The connector closes: what waits is written, then the writer stops. */
    private boolean finishing;
    /** The writer is writing frames it took from {@link #pending}. */
    private boolean writing;

    SinkOutput(EngineConnection connection, EngineAddress engine) {
        this.connection = connection;
        this.engine = engine;
    }

    /** From the connector's thread: the frame goes out after those given before; returns at once. */
    synchronized void offer(Frame frame) {
        if (ended) {
            return;
        }
        if (frame instanceof Frame.Ack ack && pending.peekLast() instanceof Frame.Ack waiting) {
            Frame.Ack joined = join(waiting, ack);
            if (joined != null) {
                pending.removeLast();
                pending.addLast(joined);
                return;
            }
        }
        pending.addLast(frame);
        notifyAll();
    }

    /** One ACK saying what {@code first} then {@code second} say; null when their credits do not fit in one. */
    static Frame.Ack join(Frame.Ack first, Frame.Ack second) {
        long credits = first.credits() + second.credits();
        if (credits > 0xFFFF_FFFFL) {
            return null;
        }
        Map<Long, Long> points = new LinkedHashMap<>();
        for (Frame.StreamPoint point : first.points()) {
            points.put(point.streamId(), point.pointOfReference());
        }
        for (Frame.StreamPoint point : second.points()) {
            points.put(point.streamId(), point.pointOfReference());
        }
        List<Frame.StreamPoint> joined = new ArrayList<>(points.size());
        points.forEach((stream, point) -> joined.add(new Frame.StreamPoint(stream, point)));
        return new Frame.Ack(credits, joined);
    }

    /** The session is over (its reader ended, or the connector dropped it): nothing more is written. */
    synchronized void end() {
        ended = true;
        pending.clear();
        notifyAll();
    }

    /**
     * On the link's thread, for the whole session: writes what is given, in order, until the session ends or,
     * when the connector closes, until nothing waits. A write that fails closes the connection: its reader
     * ends, and the link dials again.
     */
    void run() throws InterruptedException {
        while (true) {
            List<Frame> batch;
            synchronized (this) {
                while (pending.isEmpty() && !ended && !finishing) {
                    wait();
                }
                if (ended || pending.isEmpty()) {
                    return;
                }
                batch = new ArrayList<>(pending);
                pending.clear();
                writing = true;
            }
            try {
                for (Frame frame : batch) {
                    connection.send(frame);
                }
                connection.flush();
            } catch (IOException e) {
                log.warn("sending to the engine at {} failed ({}); reconnecting", engine, e.getMessage());
                connection.close();
                end();
            } finally {
                synchronized (this) {
                    writing = false;
                    notifyAll();
                }
            }
        }
    }

    /**
     * When the connector closes, from any thread: waits at most {@code millis} for what waits to be written (the
     * last commit's acknowledgement), not for an engine that does not read.
     */
    synchronized void finish(long millis) {
        finishing = true;
        notifyAll();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        try {
            while ((!pending.isEmpty() || writing) && !ended) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
