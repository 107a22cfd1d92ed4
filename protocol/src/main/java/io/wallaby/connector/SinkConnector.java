package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * data never loses or doubles a row. When the engine goes away the next read reconnects with backoff
 * (100 ms doubling to 5 s); the engine then announces its streams again and redelivers.
 *
 * <h2>Threads</h2>
 * All methods are meant for one thread, the connector's own; {@link CommittedPoints} is called on it,
 * from inside {@code read}. An internal reader thread only receives frames.
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
    private static final Object SESSION_ENDED = new Object();

    private final int creditWindow;
    private final Dialer dialer;
    private final Map<Long, String> streamNames = new HashMap<>();
    private final Map<Long, Long> committed = new HashMap<>();
    private CommittedPoints committedPoints;
    private EngineConnection connection;
    private BlockingQueue<Object> inbox;
    private boolean closed;
    /** MESSAGE frames received (delivered or skipped) since credits were last granted back. */
    private long consumedSinceGrant;
    /** Messages handed to the caller and not yet committed. */
    private long deliveredUncommitted;

    /** The sink dials on its own thread, which holds no lock: it only has to stop when closed. */
    private final Dialer.Side dialling = new Dialer.Side() {
        @Override
        public void checkWanted() {
            if (closed) {
                throw new ConnectorException("this sink connector is closed");
            }
        }

        @Override
        public EngineConnection unlocked(Dialer.Attempt attempt) throws IOException {
            return attempt.open();
        }

        @Override
        public void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectorException("interrupted while waiting to reconnect to the engine", e);
            }
        }
    };

    public SinkConnector(ConnectorSettings settings) {
        this(settings, DEFAULT_CREDIT_WINDOW);
    }

    public SinkConnector(ConnectorSettings settings, int creditWindow) {
        if (creditWindow < 1) {
            throw new IllegalArgumentException("creditWindow must be at least 1, was " + creditWindow);
        }
        this.dialer = new Dialer(settings, log);
        this.creditWindow = creditWindow;
    }

    /**
     * Connects and says HELLO, retrying with backoff while the engine cannot be reached.
     *
     * @param committedPoints where the sink stands on each stream; asked each time the engine announces one
     * @throws ConnectorException when the engine refuses the HELLO (wrong cookie or version)
     */
    public void connect(CommittedPoints committedPoints) {
        this.committedPoints = committedPoints;
        dial();
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
        for (Frame.StreamPoint p : points) {
            committed.merge(p.streamId(), p.pointOfReference(),
                    (old, now) -> Points.isAfter(now, old) ? now : old);
        }
        deliveredUncommitted = 0;
        grant(points);
    }

    /** The last point committed on the stream in this process or answered to the engine, or U64_MAX. */
    public long committedPoint(long streamId) {
        return committed.getOrDefault(streamId, Frame.U64_MAX);
    }

    @Override
    public void close() {
        closed = true;
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    // ---- runtime ----

    /** The next deliverable message, or null when the deadline (System.nanoTime; -1: none) passed. */
    private SinkMessage next(long deadline) {
        while (true) {
            if (closed) {
                throw new ConnectorException("this sink connector is closed");
            }
            if (connection == null) {
                dial();
            }
            if (consumedSinceGrant > 0 && deliveredUncommitted == 0) {
                grant(List.of()); // only skipped messages used credits: give them back now
            }
            Object item;
            try {
                item = deadline < 0 ? inbox.take()
                        : inbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectorException("interrupted while reading from the engine", e);
            }
            if (item == null) {
                return null;
            }
            if (item == SESSION_ENDED) {
                dropConnection();
                continue;
            }
            SinkMessage message = handle((Frame) item);
            if (message != null) {
                return message;
            }
        }
    }

    private SinkMessage handle(Frame frame) {
        switch (frame.type()) {
            case NOTIFY -> answerNotify((Frame.Notify) frame);
            case MESSAGE -> {
                Frame.Message m = (Frame.Message) frame;
                consumedSinceGrant++;
                String name = streamNames.get(m.streamId());
                if (name == null) {
                    log.warn("the engine sent a message on stream {} without announcing it; reconnecting",
                            Long.toUnsignedString(m.streamId()));
                    dropConnection();
                    return null;
                }
                if (!Points.isAfter(m.messageId(), committedPoint(m.streamId()))) {
                    log.debug("skipping message {} on '{}': already committed", m.messageId(), name);
                    return null;
                }
                deliveredUncommitted++;
                return new SinkMessage(name, m.streamId(), m.messageId(), m.key(), m.payload(), m.eventTime());
            }
            case EOS -> log.info("the engine ended stream '{}'", streamNames.get(((Frame.Eos) frame).streamId()));
            case ERROR -> {
                log.warn("the engine ended the session: {}; reconnecting", ((Frame.Error) frame).reason());
                dropConnection();
            }
            case RESTART -> {
                dialer.restartAt(((Frame.Restart) frame).address());
                dropConnection();
            }
            default -> {
                log.warn("the engine sent {}, which a sink connector never receives; reconnecting", frame.type());
                dropConnection();
            }
        }
        return null;
    }

    private void answerNotify(Frame.Notify notify) {
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
        log.info("stream '{}' announced; resuming after {}", notify.streamName(), Points.describe(point));
        send(new Frame.NotifyAck(true, notify.streamId(), point), true);
    }

    private void grant(List<Frame.StreamPoint> points) {
        long credits = consumedSinceGrant;
        consumedSinceGrant = 0;
        if (connection != null) {
            send(new Frame.Ack(credits, points), true);
        }
    }

    private void send(Frame frame, boolean flush) {
        try {
            connection.send(frame);
            if (flush) {
                connection.flush();
            }
        } catch (IOException e) {
            log.warn("sending to the engine failed ({}); reconnecting", e.getMessage());
            dropConnection();
        }
    }

    private void dial() {
        while (connection == null) {
            EngineConnection opened = dialer.dial(dialling);
            BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
            opened.start("wallaby-sink-reader", new EngineConnection.Handler() {
                @Override
                public void onFrame(Frame frame) {
                    queue.add(frame);
                }

                @Override
                public void onClosed(Exception cause) {
                    if (cause != null) {
                        log.warn("lost the engine session ({})", cause.getMessage());
                    }
                    queue.add(SESSION_ENDED);
                }
            });
            connection = opened;
            inbox = queue;
            consumedSinceGrant = 0;
            deliveredUncommitted = 0;
            ConnectorSettings at = dialer.target();
            log.info("connected to the engine at {}:{} as {}", at.engineHost(), at.enginePort(), at.instanceName());
            send(new Frame.Ack(creditWindow, List.of()), true); // when this fails, the loop dials again
        }
    }

    private void dropConnection() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
