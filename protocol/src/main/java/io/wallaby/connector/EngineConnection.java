package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.FrameReader;
import io.wallaby.protocol.FrameType;
import io.wallaby.protocol.FrameWriter;
import io.wallaby.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One TCP session with the engine, after a successful HELLO/OK handshake. A reader thread hands every
 * later frame to a {@link Handler}; sends are buffered until {@link #flush()}. Runtime only: connector
 * authors use {@link SourceConnector} and {@link SinkConnector}.
 */
final class EngineConnection implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(EngineConnection.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    /** Receives the frames after OK, on the connection's reader thread. */
    interface Handler {
        void onFrame(Frame frame);

        /**
         * The session is over: the peer closed it, it broke, or {@link #close()} was called. Called once, before
         * the reader closes the socket (when it is not closed yet).
         */
        void onClosed(Exception cause);
    }

    /** The engine answered HELLO with ERROR: the reason says why (wrong cookie or version). */
    static final class RefusedException extends IOException {
        RefusedException(String reason) {
            super(reason);
        }
    }

    private final Socket socket;
    private final FrameReader reader;
    private final FrameWriter writer;
    private final long initialCredits;
    private volatile boolean closed;
    /** Set by the handler, on the reader thread: the next read has a time limit (see {@link #expectNextFrameWithin}). */
    private boolean nextReadLimited;

    private EngineConnection(Socket socket, FrameReader reader, FrameWriter writer, long initialCredits) {
        this.socket = socket;
        this.reader = reader;
        this.writer = writer;
        this.initialCredits = initialCredits;
    }

    /** Connects (over TLS when {@link ConnectorSettings#tlsTrust()} is set), says HELLO and waits for OK. */
    static EngineConnection open(ConnectorSettings settings) throws IOException {
        return open(settings, CONNECT_TIMEOUT_MILLIS, HANDSHAKE_TIMEOUT_MILLIS);
    }

    /**
     * Whether the engine's process answers at all: connects, says HELLO and waits for its answer (OK, or an
     * ERROR refusing it), within {@code millis} each, then hangs up. A source asks this of an engine that has
     * been silent on its connection (see {@link SourceConnector}, "A silent engine"): an engine whose sinks lag
     * answers at once; a frozen one (SIGSTOP, a hung machine) lets the HELLO sit in its socket, and one cut off
     * by the network is not reached.
     *
     * @throws IOException saying why it did not answer
     */
    static void probe(ConnectorSettings settings, int millis) throws IOException {
        try {
            open(settings, millis, millis).close();
        } catch (RefusedException e) {
            // An answer: the engine is alive (refusing a connection too many, say).
        }
    }

    private static EngineConnection open(ConnectorSettings settings, int connectMillis, int handshakeMillis)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(settings.engineHost(), settings.enginePort()), connectMillis);
            socket.setSoTimeout(handshakeMillis);
            if (settings.tlsTrust() != null) {
                socket = startTls(socket, settings, handshakeMillis);
            }
            FrameReader reader = new FrameReader(new BufferedInputStream(socket.getInputStream(), 64 * 1024),
                    settings.maxFrameLength());
            FrameWriter writer = new FrameWriter(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
            writer.writeAndFlush(new Frame.Hello(Frame.VERSION, settings.cookie(), settings.programName(),
                    settings.instanceName()));
            Frame answer;
            try {
                answer = reader.read();
            } catch (SocketTimeoutException e) {
                throw new IOException("the engine at " + settings.engineHost() + ":" + settings.enginePort()
                        + " did not answer HELLO within " + handshakeMillis + " ms; is that the engine's port?");
            } catch (ProtocolException e) {
                if (settings.tlsTrust() != null) {
                    throw e;
                }
                // A TLS engine answers a plain HELLO with a TLS alert, which reads as a nonsense frame.
                throw new ProtocolException("the engine at " + settings.engineHost() + ":" + settings.enginePort()
                        + " did not answer HELLO with a frame (" + e.getMessage() + "); if the engine runs with"
                        + " --tls-cert, give this connector --tls-trust with the engine's certificate");
            }
            switch (answer.type()) {
                case OK -> {
                    socket.setSoTimeout(0);
                    return new EngineConnection(socket, reader, writer, ((Frame.Ok) answer).initialCredits());
                }
                case ERROR -> throw new RefusedException(((Frame.Error) answer).reason());
                default -> throw new IOException("the engine answered HELLO with " + answer.type()
                        + " instead of OK or ERROR; is " + settings.engineHost() + ":" + settings.enginePort()
                        + " a Wallaby engine port?");
            }
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Wraps the connected {@code plain} socket in TLS and completes the handshake, checking the host name. */
    private static Socket startTls(Socket plain, ConnectorSettings settings, int handshakeMillis) throws IOException {
        String where = settings.engineHost() + ":" + settings.enginePort();
        SSLSocket tls;
        try {
            tls = (SSLSocket) TlsTrust.socketFactory(settings.tlsTrust())
                    .createSocket(plain, settings.engineHost(), settings.enginePort(), true);
        } catch (ConfigurationException e) {
            // Checked when the connector was built; the file went away or changed since: retry like any failure.
            plain.close();
            throw new IOException(e.getMessage(), e);
        }
        try {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            return tls;
        } catch (SocketTimeoutException e) {
            tls.close();
            throw new IOException("TLS handshake with the engine at " + where + " got no answer within "
                    + handshakeMillis + " ms; does the engine run with --tls-cert?", e);
        } catch (SSLException e) {
            tls.close();
            throw new IOException("TLS handshake with the engine at " + where + " failed (" + e.getMessage()
                    + "); the engine must run with --tls-cert, its certificate must be in --tls-trust "
                    + settings.tlsTrust() + " and name " + settings.engineHost() + " (SAN)", e);
        }
    }

    long initialCredits() {
        return initialCredits;
    }

    /** Starts the reader thread; {@code handler} gets every frame and finally {@link Handler#onClosed}. */
    void start(String threadName, Handler handler) {
        Thread thread = new Thread(() -> readLoop(handler), threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void readLoop(Handler handler) {
        Exception cause = null;
        boolean closedByUs = false;
        try {
            while (!closed) {
                Frame frame = reader.read();
                if (nextReadLimited) {
                    nextReadLimited = false;
                    socket.setSoTimeout(0);
                }
                if (frame.type() == FrameType.HELLO || frame.type() == FrameType.OK) {
                    throw new IOException("the engine sent " + frame.type() + " after the handshake");
                }
                handler.onFrame(frame);
            }
        } catch (Exception e) {
            closedByUs = closed; // close() makes the blocked read fail: that is not a failure
            cause = e;
        } finally {
            // The handler hears of it before the socket closes: the peer never sees the session over before
            // this side does (a connector's caller could otherwise still send on it, say after a RESTART).
            try {
                handler.onClosed(closedByUs ? null : cause);
            } finally {
                closeQuietly();
            }
        }
    }

    /**
     * For the handler, on the reader thread: the next frame must begin within {@code millis}, or the session
     * ends ({@link Handler#onClosed} with a {@link SocketTimeoutException}). For frames that a peer writes
     * together, when the first one's meaning depends on whether the second follows.
     */
    void expectNextFrameWithin(int millis) {
        try {
            socket.setSoTimeout(millis);
            nextReadLimited = true;
        } catch (IOException e) {
            log.debug("cannot limit the next read; ending the session", e);
            closeQuietly();
        }
    }

    /** Buffers a frame; it leaves at the next {@link #flush()} (or when 64 KiB are buffered). */
    void send(Frame frame) throws IOException {
        writer.write(frame);
    }

    void flush() throws IOException {
        writer.flush();
    }

    boolean isOpen() {
        return !closed;
    }

    private void closeQuietly() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing the engine socket failed", e);
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
