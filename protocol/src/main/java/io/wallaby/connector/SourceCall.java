package io.wallaby.connector;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How one call of a {@link SourceConnector} waits, with the connector's lock held: on the lock's condition
 * (which releases the lock, so that the reader threads and the calls on other streams go on), until when it
 * keeps trying to reach an engine (a close gives up at its timeout), and, for a reopening that
 * {@code flush()} started in the background, that it gives way as soon as a call on its stream begins (that
 * call then does the reopening, within its own limits). It is also the {@link Dialer.Side} of the dials the
 * call makes: a dial runs without the lock.
 */
final class SourceCall implements Dialer.Side {

    /** A background reopening stops: a call on its stream began (that call reopens it), or the stream is gone. */
    static final class GaveWay extends ConnectorException {
        GaveWay() {
            super("a call on the stream took over its reopening");
        }
    }

    private final SourceSession session;
    private final ReentrantLock lock;
    private final Condition changed;
    /** System.nanoTime after which reaching the engine gives up; only when {@link #bounded}. */
    private final long giveUpAt;
    private final boolean bounded;
    /** The stream a background reopening is for; null for a caller's call. */
    private final OpenStream givesWayTo;

    private SourceCall(SourceSession session, long giveUpAt, boolean bounded, OpenStream givesWayTo) {
        this.session = session;
        this.lock = session.lock();
        this.changed = session.changed();
        this.giveUpAt = giveUpAt;
        this.bounded = bounded;
        this.givesWayTo = givesWayTo;
    }

    /** A call that tries until it succeeds (or the connector closes). */
    static SourceCall unbounded(SourceSession session) {
        return new SourceCall(session, 0, false, null);
    }

    /** A call that gives up reaching the engine at {@code deadline} (System.nanoTime): closing a stream. */
    static SourceCall until(SourceSession session, long deadline) {
        return new SourceCall(session, deadline, true, null);
    }

    /** The background reopening of {@code stream}, which gives way to any call on it. */
    static SourceCall inBackground(SourceSession session, OpenStream stream) {
        return new SourceCall(session, 0, false, stream);
    }

    /**
     * Throws when the call should stop trying: the connector is closed ({@link ConnectorException}), the close
     * timeout passed, or a background reopening has to give way ({@link GaveWay}).
     */
    void checkTime() {
        session.checkNotClosed();
        if (mustGiveWay()) {
            throw new GaveWay();
        }
        if (bounded && System.nanoTime() - giveUpAt > 0) {
            throw new ConnectorException("gave up reaching the engine at " + session.describeEngines()
                    + " before the close timeout");
        }
    }

    /** The connector was closed (with the lock held: before it lets go of its connections, or after). */
    boolean connectorClosed() {
        return session.isClosed();
    }

    private boolean mustGiveWay() {
        return givesWayTo != null && (givesWayTo.hasCallUnderWay() || !session.isCurrent(givesWayTo));
    }

    @Override
    public void checkWanted() {
        checkTime();
    }

    @Override
    public EngineConnection unlocked(Dialer.Attempt attempt) throws IOException {
        assert lock.getHoldCount() == 1 : "the lock must be let go entirely while dialling";
        lock.unlock(); // dialling can take seconds; reader threads, other calls and close() must not wait for it
        try {
            return attempt.open();
        } finally {
            lock.lock();
        }
    }

    @Override
    public void pause(long millis) {
        sleep(millis);
    }

    /** Waits on the lock's condition (releasing the lock) for at most {@code millis}, or until signalled. */
    void await(long millis) {
        try {
            changed.await(Math.max(1, millis), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectorException("interrupted while waiting for the engine", e);
        }
    }

    /** Wakes every waiting call: what it waits for may have happened. */
    void signalAll() {
        changed.signalAll();
    }

    /** Waits {@code millis} without the lock, or until the connector is closed or this call has to give way. */
    void sleep(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!session.isClosed() && !mustGiveWay() && System.nanoTime() - deadline < 0) {
            await(remainingMillis(deadline));
        }
    }

    static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
