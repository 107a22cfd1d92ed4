package io.wallaby.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every test vector of PROTOCOL.md ("Test vectors"), both ways, plus the ways a frame can be broken. */
class FramesTest {

    static Stream<Arguments> vectors() {
        return Stream.of(
                Arguments.of(new Frame.Hello("0.0.1", "cookie", "prog", "inst"),
                        "0000001c 00 0005 302e302e31 0006 636f6f6b6965 0004 70726f67 0004 696e7374"),
                Arguments.of(new Frame.Ok(10), "00000005 01 0000000a"),
                Arguments.of(new Frame.Error("bad"), "00000006 02 0003 626164"),
                Arguments.of(new Frame.Notify(1, "txn", 0),
                        "00000016 03 0000000000000001 0003 74786e 0000000000000000"),
                Arguments.of(new Frame.NotifyAck(true, 1, Frame.U64_MAX),
                        "00000012 04 01 0000000000000001 ffffffffffffffff"),
                Arguments.of(Frame.Message.of(1, 5, "{\"id\":1}".getBytes(StandardCharsets.UTF_8)),
                        "00000023 05 0000000000000001 0000000000000005 0000000000000000 0000 7b226964223a317d"),
                Arguments.of(new Frame.Ack(2, List.of(new Frame.StreamPoint(1, 5))),
                        "00000019 06 00000002 00000001 0000000000000001 0000000000000005"),
                Arguments.of(new Frame.Restart("127.0.0.1:7100"),
                        "00000013 07 0000000e 3132372e302e302e313a37313030"),
                Arguments.of(new Frame.Eos(1), "00000009 08 0000000000000001"));
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void encodesToTheSpecifiedBytes(Frame frame, String hex) {
        ByteBuf out = Unpooled.buffer();
        Frames.encode(frame, out);
        assertEquals(hex.replace(" ", ""), ByteBufUtil.hexDump(out));
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void decodesTheSpecifiedBytes(Frame frame, String hex) throws Exception {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes(hex)));
        assertEquals(frame, reader.read());
        assertThrows(EOFException.class, reader::read);
    }

    @Test
    void writerAndReaderRoundTripAKeyedMessage() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(sink);
        Frame.Message keyed = new Frame.Message(7, 9, -3, "k".getBytes(StandardCharsets.UTF_8), new byte[0]);
        writer.write(keyed);
        writer.write(new Frame.Restart(""));
        writer.flush();
        FrameReader reader = new FrameReader(new ByteArrayInputStream(sink.toByteArray()));
        assertEquals(keyed, reader.read());
        assertEquals(new Frame.Restart(""), reader.read());
    }

    @Test
    void anEmptyRestartBodyIsAccepted() throws Exception {
        assertEquals(new Frame.Restart(""), new FrameReader(new ByteArrayInputStream(bytes("00000001 07"))).read());
    }

    @Test
    void refusesAnOversizedLengthBeforeReadingTheBody() {
        // A 2 GiB prefix with no body behind it: the reader must fail on the prefix, not wait for the body.
        FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes("80000000")), 1024);
        ProtocolException e = assertThrows(ProtocolException.class, reader::read);
        assertTrue(e.getMessage().contains("exceeds the maximum frame length of 1024"), e.getMessage());
    }

    @Test
    void refusesAnUnknownType() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decode("00000001 09"));
        assertTrue(e.getMessage().contains("unknown frame type 9"), e.getMessage());
    }

    @Test
    void refusesATruncatedBody() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decode("00000005 08 00000000"));
        assertTrue(e.getMessage().contains("malformed EOS frame"), e.getMessage());
    }

    @Test
    void refusesTrailingBytes() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> decode("0000000a 08 0000000000000001 00"));
        assertTrue(e.getMessage().contains("unexpected bytes"), e.getMessage());
    }

    @Test
    void refusesAShortStringLongerThanTheFrame() {
        assertThrows(ProtocolException.class, () -> decode("00000003 02 00ff"));
    }

    @Test
    void refusesAnAckWhoseCountDoesNotMatchItsBody() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> decode("00000009 06 00000002 00000005"));
        assertTrue(e.getMessage().contains("announces 5"), e.getMessage());
    }

    @Test
    void refusesAnEmptyFrame() {
        assertThrows(ProtocolException.class, () -> decode("00000000"));
    }

    private static Frame decode(String hex) throws Exception {
        return new FrameReader(new ByteArrayInputStream(bytes(hex))).read();
    }

    static byte[] bytes(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replace(" ", ""));
    }
}
