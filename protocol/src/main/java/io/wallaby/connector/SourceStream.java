package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * What a {@link SourceConnector} knows about one stream it has opened: the last id it sent, the last
 * point the engine acknowledged, and the replay buffer of messages sent but not yet acknowledged.
 * Guarded by the connector's lock.
 */
final class SourceStream {

    final String name;
    final long id;
    /** The last message id written, or U64_MAX when none yet. */
    long lastSentId = Frame.U64_MAX;
    /** The last point the engine acknowledged, or U64_MAX when none. */
    long acknowledgedPoint = Frame.U64_MAX;
    /** The point the first NOTIFY_ACK gave: where the connector resumes. */
    long resumePoint = Frame.U64_MAX;
    /** Sent, not yet acknowledged, oldest first: what a reconnect replays. */
    final ArrayDeque<Frame.Message> unacknowledged = new ArrayDeque<>();
    /** Set by the reader thread when the NOTIFY_ACK for the current NOTIFY arrives. */
    Frame.NotifyAck pendingNotifyAck;
    /** The stream has been accepted (NOTIFY_ACK success) on the current connection. */
    boolean notified;
    boolean everNotified;
    boolean eosSent;
    boolean eosAcknowledged;

    SourceStream(String name, long id) {
        this.name = name;
        this.id = id;
    }

    /** Records an acknowledgement; false when it does not move the stream forward. */
    boolean acknowledge(long point) {
        if (point == Frame.U64_MAX || !Points.isAfter(point, acknowledgedPoint)) {
            return false;
        }
        acknowledgedPoint = point;
        Iterator<Frame.Message> it = unacknowledged.iterator();
        while (it.hasNext() && !Points.isAfter(it.next().messageId(), point)) {
            it.remove();
        }
        return true;
    }

    /** Everything written has been acknowledged. */
    boolean fullyAcknowledged() {
        return lastSentId == Frame.U64_MAX || !Points.isAfter(lastSentId, acknowledgedPoint);
    }
}
