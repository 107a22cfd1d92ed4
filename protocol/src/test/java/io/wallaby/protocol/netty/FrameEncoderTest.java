package io.wallaby.protocol.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.embedded.EmbeddedChannel;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.FrameReader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The encoder in a Netty pipeline, its bytes read back by the SDK's blocking {@link FrameReader}. */
class FrameEncoderTest {

    @Test
    void aBatchGoesOutAsOneBufferThatReadsBackAsItsFramesInOrder() throws Exception {
        List<Frame> frames = new ArrayList<>();
        for (long id = 1; id <= 300; id++) {
            frames.add(new Frame.Message(7, id << 16, 1_700_000_000_000L + id, null,
                    ("Deposit Alert for " + id + ": 1500").getBytes(StandardCharsets.UTF_8)));
        }
        EmbeddedChannel channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
        channel.writeOutbound(new FrameBatch(frames), new Frame.Eos(7));

        ByteBuf batch = channel.readOutbound();
        ByteBuf eos = channel.readOutbound();
        assertNull(channel.readOutbound(), "one buffer for the batch, one for the single frame");
        try (ByteBufInputStream in = new ByteBufInputStream(batch, true)) {
            FrameReader reader = new FrameReader(in);
            for (Frame expected : frames) {
                Frame.Message read = (Frame.Message) reader.read();
                Frame.Message sent = (Frame.Message) expected;
                assertEquals(sent.messageId(), read.messageId());
                assertEquals(sent.eventTime(), read.eventTime());
                assertArrayEquals(sent.payload(), read.payload());
            }
            assertEquals(0, in.available(), "nothing after the last frame");
        }
        try (ByteBufInputStream in = new ByteBufInputStream(eos, true)) {
            assertEquals(new Frame.Eos(7), new FrameReader(in).read());
        }
    }

    @Test
    void anEmptyBatchIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> new FrameBatch(List.of()));
    }
}
