package io.wallaby.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A seeded fuzz test of {@link Frames#decodeBody} and {@link FrameReader}: random valid frames must
 * survive a round trip, and random or mutated bytes must give a valid frame or a clean
 * {@link ProtocolException} (or {@link EOFException} for a stream that ends early), never another
 * exception and never a hang. A failure names the seed and the bytes, so it can be replayed.
 */
class FrameDecoderFuzzTest {

    private static final long SEED = 20_261_124L;
    private static final int CASES = 120_000;
    /** Small, so that random length prefixes below it are cheap, and those above it are refused. */
    private static final int MAX_FRAME_LENGTH = 4096;

    private final Random random = new Random(SEED);
    private int frames;
    private int refusals;

    @Test
    void randomAndMutatedBytesGiveAFrameOrAProtocolExceptionNeverAnythingElse() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < CASES; i++) {
                byte[] bytes = switch (i % 4) {
                    case 0 -> randomBytes(random.nextInt(64));
                    case 1 -> mutate(encode(randomFrame()));
                    case 2 -> truncateOrExtend(encode(randomFrame()));
                    default -> withRandomType(encode(randomFrame()));
                };
                decodeBodyOf(i, bytes);
                readWhole(i, bytes);
            }
        });
        // Both outcomes were exercised, not just one of them.
        assertTrue(frames > CASES / 20, "valid frames decoded: " + frames);
        assertTrue(refusals > CASES / 20, "clean refusals: " + refusals);
    }

    @Test
    void everyRandomValidFrameSurvivesARoundTrip() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 20_000; i++) {
                byte[] bytes = encode(randomFrame());
                Frame decoded = Frames.decodeBody(Unpooled.wrappedBuffer(bytes, 4, bytes.length - 4));
                assertArrayEquals(bytes, encode(decoded), () -> "case " + hex(bytes));
            }
        });
    }

    @Test
    void aTwoGibLengthPrefixIsRefusedBeforeAnyBodyIsRead() {
        byte[] prefix = {(byte) 0x80, 0, 0, 0, 0};
        ProtocolException refused = assertThrows(ProtocolException.class,
                () -> new FrameReader(new ByteArrayInputStream(prefix), MAX_FRAME_LENGTH).read());
        assertTrue(refused.getMessage().contains("2147483648 bytes exceeds"), refused.getMessage());
    }

    /** The body alone (after the 4-byte prefix when there is one), as the Netty decoder hands it over. */
    private void decodeBodyOf(int i, byte[] bytes) {
        ByteBuf body = Unpooled.wrappedBuffer(bytes, Math.min(4, bytes.length), Math.max(0, bytes.length - 4));
        try {
            Frames.decodeBody(body);
            frames++;
        } catch (ProtocolException expected) {
            refusals++;
        } catch (RuntimeException e) {
            fail("decodeBody, case " + i + " of seed " + SEED + ": " + e + " on " + hex(bytes), e);
        }
    }

    /** The whole byte string, length prefix included, as a blocking connector reads it. */
    private void readWhole(int i, byte[] bytes) {
        try {
            new FrameReader(new ByteArrayInputStream(bytes), MAX_FRAME_LENGTH).read();
        } catch (ProtocolException | EOFException expected) {
            // a clean refusal, or a stream that ended mid-frame
        } catch (Exception e) {
            fail("FrameReader, case " + i + " of seed " + SEED + ": " + e + " on " + hex(bytes), e);
        }
    }

    private Frame randomFrame() {
        return switch (FrameType.values()[random.nextInt(FrameType.values().length)]) {
            case HELLO -> new Frame.Hello(text(), text(), text(), text());
            case OK -> new Frame.Ok(random.nextLong() & 0xFFFF_FFFFL);
            case ERROR -> new Frame.Error(text());
            case NOTIFY -> new Frame.Notify(random.nextLong(), text(), random.nextLong());
            case NOTIFY_ACK -> new Frame.NotifyAck(random.nextBoolean(), random.nextLong(), random.nextLong());
            case MESSAGE -> new Frame.Message(random.nextLong(), random.nextLong(), random.nextLong(),
                    random.nextBoolean() ? null : randomBytes(random.nextInt(8)), randomBytes(random.nextInt(48)));
            case ACK -> {
                List<Frame.StreamPoint> points = new ArrayList<>();
                for (int p = random.nextInt(4); p > 0; p--) {
                    points.add(new Frame.StreamPoint(random.nextLong(), random.nextLong()));
                }
                yield new Frame.Ack(random.nextLong() & 0xFFFF_FFFFL, points);
            }
            case RESTART -> new Frame.Restart(text());
            case EOS -> new Frame.Eos(random.nextLong());
        };
    }

    /** Short strings, some of them not ASCII. */
    private String text() {
        char[] chars = new char[random.nextInt(12)];
        for (int c = 0; c < chars.length; c++) {
            chars[c] = random.nextInt(8) == 0 ? (char) (0x80 + random.nextInt(0x700)) : (char) ('a' + random.nextInt(26));
        }
        return new String(chars);
    }

    private byte[] mutate(byte[] bytes) {
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private byte[] truncateOrExtend(byte[] bytes) {
        return random.nextBoolean() ? Arrays.copyOf(bytes, random.nextInt(bytes.length))
                : concat(bytes, randomBytes(1 + random.nextInt(16)));
    }

    /** A valid body under another type byte: the fields of one frame read as another's. */
    private byte[] withRandomType(byte[] bytes) {
        bytes[4] = (byte) random.nextInt(12);
        return bytes;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static byte[] encode(Frame frame) {
        ByteBuf out = Unpooled.buffer();
        Frames.encode(frame, out);
        return ByteBufUtil.getBytes(out);
    }

    private static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes) + " (" + bytes.length + " bytes)";
    }
}
