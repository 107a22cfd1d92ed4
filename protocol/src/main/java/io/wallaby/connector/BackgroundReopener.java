package io.wallaby.connector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reopens, in the background, the streams of a {@link SourceSession} that were lost and that no call is busy
 * with (those {@code flush()} finds, and those of a connection the silence watch gave up), each on a thread of
 * its own, so that no caller waits for another stream's engine. A reopening gives way to any call on its stream,
 * which then reopens it itself; a take-over it finds is kept for the next {@code flush()} to throw.
 * Each reopening runs with the connector's lock held (every wait releases it); the take-overs kept are guarded
 * by it, and so is a stream's {@linkplain OpenStream#isReopening() reopening} mark.
 */
final class BackgroundReopener {

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);

    private final ReentrantLock lock;
    private final SourceSession session;
    /** Take-overs found by background reopenings, for the next {@code flush()} to throw. */
    private final List<StreamTakenOverException> unreported = new ArrayList<>();
    /** Runs the reopenings, so that no caller waits for another stream's engine. */
    private final ExecutorService reopener = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "wallaby-source-reopen");
        t.setDaemon(true);
        return t;
    });

    BackgroundReopener(ReentrantLock lock, SourceSession session) {
        this.lock = lock;
        this.session = session;
    }

    /** With the lock held: starts reopening the stream on a thread of the reopener. */
    void reopenInBackground(OpenStream stream) {
        stream.reopening(true);
        try {
            reopener.execute(() -> reopen(stream));
        } catch (RejectedExecutionException e) {
            stream.reopening(false); // closing
        }
    }

    /** With the lock held, for {@code flush()}: throws the first take-over a reopening found, if any. */
    void throwUnreported() {
        if (!unreported.isEmpty()) {
            throw unreported.remove(0);
        }
    }

    /** When the connector closes: the reopenings under way stop, and no new one starts. */
    void shutdown() {
        reopener.shutdownNow();
    }

    /** On a thread of the reopener: reopens the stream (and replays), giving way to any call on it. */
    private void reopen(OpenStream stream) {
        lock.lock();
        try {
            if (session.isCurrent(stream)) {
                session.ensureOpen(stream, SourceCall.inBackground(session, stream));
            }
        } catch (SourceCall.GaveWay e) {
            log.debug("stream '{}': a call on it reopens it", stream.name());
        } catch (StreamTakenOverException e) {
            unreported.add(e);
        } catch (ConnectorException e) {
            if (!session.isClosed()) {
                log.warn("reopening stream '{}' failed: {}; the next call on it tries again", stream.name(),
                        e.getMessage());
            }
        } catch (RuntimeException e) {
            log.error("reopening stream '{}' failed; the next call on it tries again", stream.name(), e);
        } finally {
            stream.reopening(false);
            lock.unlock();
        }
    }
}
