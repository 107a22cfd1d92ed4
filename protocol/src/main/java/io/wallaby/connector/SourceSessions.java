package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

/**
 * The session side of {@link SourceConnector}: dialling with backoff, opening each stream with
 * NOTIFY/NOTIFY_ACK (waiting while it is open elsewhere) and replaying what the engine has not
 * acknowledged. Every method runs on the connector's own thread with its lock held.
 */
final class SourceSessions {

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);

    private SourceSessions() {
    }

    /**
     * Makes sure there is a session on which every open stream has been accepted.
     *
     * @return true when it had to (re)connect or open a stream, which re-sent every unacknowledged message
     */
    static boolean ensureConnected(SourceConnector c) {
        if (c.connection != null && allNotified(c)) {
            return false; // the common case, on every write: nothing to do
        }
        boolean replayed = false;
        while (true) {
            checkTime(c);
            if (c.connection == null) {
                dial(c);
                replayed = true;
            }
            EngineConnection current = c.connection;
            boolean allNotified = true;
            for (SourceStream stream : List.copyOf(c.streams.values())) {
                if (!stream.notified) {
                    replayed = true;
                    if (!openOnSession(c, stream, current)) {
                        allNotified = false;
                        break;
                    }
                }
            }
            if (allNotified && current != null && c.connection == current) {
                return replayed;
            }
        }
    }

    private static boolean allNotified(SourceConnector c) {
        for (SourceStream stream : c.streams.values()) {
            if (!stream.notified) {
                return false;
            }
        }
        return true;
    }

    private static void dial(SourceConnector c) {
        while (c.connection == null) {
            checkTime(c);
            ConnectorSettings settings = c.target;
            EngineConnection opened = null;
            c.lock.unlock(); // dialling can take seconds; reader threads must not wait for it
            try {
                opened = EngineConnection.open(settings);
            } catch (EngineConnection.RefusedException e) {
                if (!c.connectedOnce) {
                    throw new ConnectorException("the engine at " + settings.engineHost() + ":" + settings.enginePort()
                            + " refused this connector: " + e.getMessage() + "; check --cookie and the versions");
                }
                log.warn("the engine refused the reconnection ({}); retrying in {} ms", e.getMessage(),
                        c.backoff.nextDelayMillis());
            } catch (IOException e) {
                log.warn("cannot reach the engine at {}:{} ({}); retrying in {} ms", settings.engineHost(),
                        settings.enginePort(), e.getMessage(), c.backoff.nextDelayMillis());
            } finally {
                c.lock.lock();
            }
            if (opened == null) {
                c.sleepUnlocked(c.backoff.next());
                continue;
            }
            c.backoff.reset();
            c.connectedOnce = true;
            c.connection = opened;
            c.credits = opened.initialCredits();
            for (SourceStream stream : c.streams.values()) {
                stream.notified = false;
            }
            log.info("connected to the engine at {}:{} as {} ({} credits)", settings.engineHost(),
                    settings.enginePort(), settings.instanceName(), c.credits);
            opened.start("wallaby-source-reader", new SourceFrameHandler(c, opened));
        }
    }

    /**
     * NOTIFY, wait for NOTIFY_ACK (retrying with backoff while the stream is open elsewhere), then replay.
     *
     * @return false when the session broke on the way
     */
    private static boolean openOnSession(SourceConnector c, SourceStream stream, EngineConnection session) {
        Backoff standby = Backoff.standard();
        while (true) {
            stream.pendingNotifyAck = null;
            if (!c.sendFrame(new Frame.Notify(stream.id, stream.name, stream.acknowledgedPoint))) {
                return false;
            }
            c.flushQuietly();
            while (stream.pendingNotifyAck == null) {
                if (c.connection != session) {
                    return false;
                }
                c.awaitChange(100);
            }
            Frame.NotifyAck answer = stream.pendingNotifyAck;
            stream.pendingNotifyAck = null;
            if (answer.success()) {
                accept(stream, answer.pointOfReference());
                return replay(c, stream);
            }
            if (stream.everNotified) {
                // Waiting here as a standby would keep what this instance reads from (a replication slot)
                // away from the instance the engine now takes the stream from: both would wait forever.
                c.forget(stream);
                throw new StreamTakenOverException(stream.name, stream.unacknowledged.size());
            }
            log.info("stream '{}' is open on another connection (another instance?); this one waits as a standby "
                    + "and retries in {} ms", stream.name, standby.nextDelayMillis());
            c.sleepUnlocked(standby.next());
            checkTime(c);
            if (c.connection != session) {
                return false;
            }
        }
    }

    private static void accept(SourceStream stream, long enginePoint) {
        stream.notified = true;
        if (!stream.everNotified) {
            stream.everNotified = true;
            stream.resumePoint = enginePoint;
            stream.acknowledgedPoint = enginePoint;
            log.info("stream '{}' open, resuming after {}", stream.name, Points.describe(enginePoint));
            return;
        }
        if (stream.acknowledgedPoint != Frame.U64_MAX
                && (enginePoint == Frame.U64_MAX || Long.compareUnsigned(enginePoint, stream.acknowledgedPoint) < 0)) {
            log.error("stream '{}': the engine now stands at {} but had acknowledged {} before; the messages in between "
                            + "are no longer held here and are missing from the engine (was its state lost?)",
                    stream.name, Points.describe(enginePoint), Points.describe(stream.acknowledgedPoint));
        }
        stream.acknowledge(enginePoint);
        if (stream.lastSentId != Frame.U64_MAX && enginePoint != Frame.U64_MAX
                && Long.compareUnsigned(enginePoint, stream.lastSentId) > 0) {
            stream.lastSentId = enginePoint;
        }
        log.info("stream '{}' reopened at {}; replaying {} unacknowledged messages", stream.name,
                Points.describe(enginePoint), stream.unacknowledged.size());
    }

    private static boolean replay(SourceConnector c, SourceStream stream) {
        for (Frame.Message message : List.copyOf(stream.unacknowledged)) {
            if (!c.sendFrame(message)) {
                return false;
            }
        }
        c.flushQuietly();
        return true;
    }

    /** Waits until everything written on the stream is acknowledged, then sends EOS and waits for its ACK. */
    static void drainAndEnd(SourceConnector c, SourceStream stream, long deadline) {
        c.flushQuietly();
        while (!stream.fullyAcknowledged() && !c.isClosed() && System.nanoTime() < deadline) {
            if (c.connection == null) {
                ensureConnected(c);
            } else {
                c.flushQuietly();
                c.awaitChange(Math.min(100, SourceConnector.remainingMillis(deadline)));
            }
        }
        boolean complete = stream.fullyAcknowledged();
        while (complete && !stream.eosAcknowledged && !c.isClosed() && System.nanoTime() < deadline) {
            if (c.connection == null || !stream.notified) {
                ensureConnected(c);
                stream.eosSent = false; // a new session needs its own EOS
            }
            if (!stream.eosSent) {
                if (!c.sendFrame(new Frame.Eos(stream.id))) {
                    continue;
                }
                stream.eosSent = true;
                c.flushQuietly();
            }
            c.awaitChange(Math.min(100, SourceConnector.remainingMillis(deadline)));
        }
    }

    private static void checkTime(SourceConnector c) {
        c.checkNotClosed();
        if (System.nanoTime() - c.giveUpAt > 0) {
            throw new ConnectorException("gave up reaching the engine at " + c.target.engineHost() + ":"
                    + c.target.enginePort() + " before the close timeout");
        }
    }
}
