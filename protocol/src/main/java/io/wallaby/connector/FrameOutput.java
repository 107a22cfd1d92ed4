package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sending side of one {@link SourceConnection}: frames are buffered and written under a lock of this
 * connection's own, never under the connector's lock, so that a socket that does not drain (an engine frozen
 * with its buffers full) holds up only the threads sending to that engine; and a flusher thread of its own
 * sends what is buffered within about 5 ms, or at once when asked, so that no caller ever writes to a socket
 * only to flush another engine's frames.
 */
final class FrameOutput {

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);
    private static final long FLUSH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How long closing the connector waits for a frame being written before it closes the socket under it. */
    private static final long CLOSE_FLUSH_MILLIS = 1_000;

    private final EngineConnection link;
    /** Held while a frame is written or the buffer flushed: the frames keep the order their senders claimed it. */
    private final ReentrantLock writing = new ReentrantLock();
    private volatile boolean unflushed;
    private volatile boolean stopped;
    private volatile Thread flusher;

    FrameOutput(EngineConnection link) {
        this.link = link;
    }

    /** Starts the flusher thread. */
    void start() {
        Thread thread = new Thread(this::flushLoop, "wallaby-source-flusher");
        thread.setDaemon(true);
        flusher = thread;
        thread.start();
    }

    private void flushLoop() {
        while (!stopped && link.isOpen()) {
            LockSupport.parkNanos(this, FLUSH_INTERVAL_NANOS);
            if (unflushed) {
                flushNow();
            }
        }
    }

    /** Claims the right to write the next frame, without waiting: false when another thread writes now. */
    boolean tryClaim() {
        return writing.tryLock();
    }

    /** Waits until the thread writing now is done; call without the connector's lock. */
    void awaitWriter() {
        writing.lock();
        writing.unlock();
    }

    /** Buffers a frame after {@link #tryClaim()} succeeded, and gives the claim back; without the connector's lock. */
    void writeClaimed(Frame frame) throws IOException {
        try {
            link.send(frame);
            unflushed = true;
        } finally {
            writing.unlock();
        }
    }

    /** Has the flusher thread send what is buffered now; returns at once. */
    void requestFlush() {
        Thread thread = flusher;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    private void flushNow() {
        writing.lock();
        flushHeld();
    }

    /** Flushes with {@link #writing} held, and releases it. */
    private void flushHeld() {
        try {
            if (unflushed) {
                unflushed = false;
                link.flush();
            }
        } catch (IOException e) {
            log.debug("flush failed; the reader thread reconnects", e);
        } finally {
            writing.unlock();
        }
    }

    /** The connection ended: the flusher thread stops. */
    void stop() {
        stopped = true;
        requestFlush();
    }

    /** When the connector closes: sends what is buffered, unless a write is stuck (a frozen engine), then stops. */
    void flushAndStop() {
        try {
            if (writing.tryLock(CLOSE_FLUSH_MILLIS, TimeUnit.MILLISECONDS)) {
                flushHeld();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
    }
}
