package io.wallaby.engine.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The engine's dead-letter file: one JSON line per source message the application could not decode or
 * failed on, {@code {"time","stream","messageId","reason","payload"}} (or {@code "payloadBase64"} when
 * the payload is not UTF-8). Each line is written and fsynced before {@link #write} returns, and the
 * caller records the message as processed only after that, so an acknowledgement never covers a message
 * whose dead letter could still be lost. Bad messages are rare, so the synchronous write (on the
 * connection's event loop) costs nothing in the common case and keeps the ordering obvious.
 *
 * <p>Opened on the first dead letter, so an engine that never sees one leaves no such file. While the engine
 * runs it holds a lock on {@code <file>.lock} beside it ({@link #lock()}), so that two engines on one machine
 * (a cluster's, say) never append to the same file unawares: the second is refused at start. Thread-safe: the
 * lanes of several streams share it.
 */
public final class DeadLetterFile implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private FileChannel channel;
    private FileChannel lockChannel;
    private FileLock lock;
    private long written;
    private final Map<String, Long> writtenByStream = new HashMap<>();

    public DeadLetterFile(Path path) {
        this.path = path.toAbsolutePath();
    }

    public Path path() {
        return path;
    }

    /**
     * Takes the file for this engine: a lock on {@code <file>.lock}, held until {@link #close()}.
     *
     * @throws IOException naming the file and what to do when another running engine holds it
     */
    public synchronized void lock() throws IOException {
        Path lockFile = Path.of(path + ".lock");
        lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException heldInThisProcess) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            lockChannel = null;
            throw new IOException("the dead-letter file " + path + " is used by another running engine (it holds "
                    + lockFile + "): give each engine on this machine its own --dead-letter-file");
        }
    }

    /** Dead letters written since the engine started. */
    public synchronized long written() {
        return written;
    }

    /** Dead letters of one source stream written since the engine started. */
    public synchronized long written(String stream) {
        return writtenByStream.getOrDefault(stream, 0L);
    }

    /** Appends one line and forces it to disk. */
    public synchronized void write(String stream, long messageId, String reason, byte[] payload) throws IOException {
        ObjectNode line = JSON.createObjectNode()
                .put("time", Instant.now().toString())
                .put("stream", stream)
                .put("messageId", Long.toUnsignedString(messageId))
                .put("reason", reason);
        String text = utf8(payload);
        if (text != null) {
            line.put("payload", text);
        } else {
            line.put("payloadBase64", Base64.getEncoder().encodeToString(payload));
        }
        ByteBuffer bytes = ByteBuffer.wrap((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        channel.force(false);
        written++;
        writtenByStream.merge(stream, 1L, Long::sum);
    }

    private static String utf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        if (lockChannel != null) {
            lockChannel.close(); // releases the lock; the empty lock file stays, harmless, for the next engine
            lockChannel = null;
            lock = null;
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
