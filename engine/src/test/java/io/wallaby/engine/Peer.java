package io.wallaby.engine;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.FrameReader;
import io.wallaby.protocol.FrameWriter;
import io.wallaby.protocol.StreamIds;

import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A connector played by a test: a real protocol peer on a plain socket, reading and writing frames
 * with the protocol module's blocking {@link FrameReader} and {@link FrameWriter}.
 */
final class Peer implements AutoCloseable {

    private final Socket socket;
    private final FrameReader reader;
    private final FrameWriter writer;

    private Peer(Socket socket) throws IOException {
        this.socket = socket;
        this.reader = new FrameReader(socket.getInputStream());
        this.writer = new FrameWriter(socket.getOutputStream());
    }

    static Peer connect(int port) throws IOException {
        return over(new Socket("127.0.0.1", port));
    }

    /** A peer on a socket the test made itself (a TLS one, say). */
    static Peer over(Socket socket) throws IOException {
        socket.setTcpNoDelay(true); // small frames go out at once, as a real connector's would
        socket.setSoTimeout(5_000);
        return new Peer(socket);
    }

    /** Says HELLO with the right version and expects OK; returns the credits granted. */
    long hello(String cookie) throws IOException {
        send(new Frame.Hello(Frame.VERSION, cookie, "test", "peer"));
        return expect(Frame.Ok.class).initialCredits();
    }

    /** NOTIFYs a source stream from the beginning and returns the engine's answer. */
    Frame.NotifyAck notifyStream(String name) throws IOException {
        send(new Frame.Notify(StreamIds.of(name), name, Frame.U64_MAX));
        return expect(Frame.NotifyAck.class);
    }

    void send(Frame... frames) throws IOException {
        for (Frame frame : frames) {
            writer.write(frame);
        }
        writer.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    Frame read() throws IOException {
        return reader.read();
    }

    <T extends Frame> T expect(Class<T> type) throws IOException {
        Frame frame = read();
        return assertInstanceOf(type, frame, "expected " + type.getSimpleName() + ", got " + frame);
    }

    /** Reads the next frame however long it takes: for a peer on a thread of its own that the engine ends. */
    Frame readWithoutTimeout() throws IOException {
        socket.setSoTimeout(0);
        return reader.read();
    }

    <T extends Frame> T expectWithoutTimeout(Class<T> type) throws IOException {
        Frame frame = readWithoutTimeout();
        return assertInstanceOf(type, frame, "expected " + type.getSimpleName() + ", got " + frame);
    }

    /** Reads ACKs until one acknowledges {@code point} on {@code streamId}; returns every credit granted on the way. */
    long awaitAck(long streamId, long point) throws IOException {
        long credits = 0;
        while (true) {
            Frame.Ack ack = expect(Frame.Ack.class);
            credits += ack.credits();
            if (ack.points().contains(new Frame.StreamPoint(streamId, point))) {
                return credits;
            }
        }
    }

    /** Reads {@code count} MESSAGE frames. */
    List<Frame.Message> messages(int count) throws IOException {
        List<Frame.Message> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            messages.add(expect(Frame.Message.class));
        }
        return messages;
    }

    /** Expects ERROR, returns its reason, and checks that the engine then closes the connection. */
    String expectErrorAndClose() throws IOException {
        String reason = expect(Frame.Error.class).reason();
        expectClosed();
        return reason;
    }

    /** Like {@link #expectErrorAndClose()}, reading past any ACKs that come first. */
    String expectErrorAfterAcksAndClose() throws IOException {
        Frame frame = read();
        while (frame instanceof Frame.Ack) {
            frame = read();
        }
        String reason = assertInstanceOf(Frame.Error.class, frame, "expected Error, got " + frame).reason();
        expectClosed();
        return reason;
    }

    void expectClosed() throws IOException {
        try {
            Frame frame = read();
            fail("expected the engine to close the connection, got " + frame);
        } catch (EOFException | SocketException closed) {
            // closed, as expected
        }
    }

    /** Checks that nothing arrives for a little while. */
    void expectSilence(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            Frame frame = read();
            fail("expected nothing, got " + frame);
        } catch (SocketTimeoutException quiet) {
            // nothing came, as expected
        } finally {
            socket.setSoTimeout(5_000);
        }
    }

    static String text(Frame.Message message) {
        return new String(message.payload(), StandardCharsets.UTF_8);
    }

    static void assertReason(String expectedPart, String reason) {
        assertTrue(reason.contains(expectedPart), () -> "reason \"" + reason + "\" should contain \"" + expectedPart + "\"");
    }

    static void assertIds(List<Long> expected, List<Frame.Message> messages) {
        assertEquals(expected, messages.stream().map(Frame.Message::messageId).toList());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
