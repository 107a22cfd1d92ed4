package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.FrameReader;
import io.wallaby.protocol.FrameWriter;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * The engine's side of one TCP session, played by a test: it accepts and reads/writes frames by hand. Built
 * with an {@link SSLContext} it serves TLS only, as the engine with {@code --tls-cert} does.
 */
public final class FakeEngine implements AutoCloseable {

    final ServerSocket server;
    Socket socket;
    FrameReader reader;
    FrameWriter writer;

    public FakeEngine() throws IOException {
        this(null);
    }

    /** A fake engine serving TLS with {@code tls}'s key and certificate; {@code null}: plain TCP. */
    public FakeEngine(SSLContext tls) throws IOException {
        server = tls == null
                ? new ServerSocket(0, 50, InetAddress.getLoopbackAddress())
                : tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setSoTimeout(10_000);
    }

    public int port() {
        return server.getLocalPort();
    }

    public ConnectorSettings settings() {
        return new ConnectorSettings("127.0.0.1", port(), "secret", "test-prog", "test-inst", 1 << 20);
    }

    /** Where this engine listens, as a cluster's list and a RESTART name it. */
    public EngineAddress address() {
        return new EngineAddress("127.0.0.1", port());
    }

    /** Settings for a connector given these engines, in this order (a cluster). */
    public static ConnectorSettings settings(FakeEngine... engines) {
        return engines[0].settings().withEngines(java.util.Arrays.stream(engines).map(FakeEngine::address).toList());
    }

    /** Accepts the next connection and reads its HELLO. */
    public Frame.Hello accept() throws IOException {
        if (socket != null) {
            socket.close();
        }
        socket = server.accept();
        socket.setSoTimeout(10_000);
        reader = new FrameReader(socket.getInputStream());
        writer = new FrameWriter(socket.getOutputStream());
        return (Frame.Hello) reader.read();
    }

    /** Accepts, reads HELLO and answers OK(credits). */
    public Frame.Hello acceptAndOk(long credits) throws IOException {
        Frame.Hello hello = accept();
        send(new Frame.Ok(credits));
        return hello;
    }

    public Frame read() throws IOException {
        return reader.read();
    }

    @SuppressWarnings("unchecked")
    public <T extends Frame> T read(Class<T> type) throws IOException {
        Frame frame = reader.read();
        if (!type.isInstance(frame)) {
            throw new AssertionError("expected " + type.getSimpleName() + " but got " + frame);
        }
        return (T) frame;
    }

    /** True when no frame arrives within {@code millis}. */
    public boolean silentFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            Frame frame = reader.read();
            throw new AssertionError("expected silence but got " + frame);
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    public void send(Frame frame) throws IOException {
        writer.writeAndFlush(frame);
    }

    /** Writes the frames together, flushing once, as the engine writes a RESTART and the NOTIFY_ACK it explains. */
    public void sendTogether(Frame... frames) throws IOException {
        for (Frame frame : frames) {
            writer.write(frame);
        }
        writer.flush();
    }

    /** A per-stream redirect: RESTART({@code owner}, empty when unknown) and NOTIFY_ACK(false) for the stream. */
    public void redirect(long streamId, String owner) throws IOException {
        sendTogether(new Frame.Restart(owner), new Frame.NotifyAck(false, streamId, 0));
    }

    /** Drops the connection, as a crashing engine would. */
    public void dropConnection() throws IOException {
        socket.close();
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
        server.close();
    }
}
