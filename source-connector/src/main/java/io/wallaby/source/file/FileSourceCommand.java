package io.wallaby.source.file;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.connector.ConnectorOptions;
import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.SourceConnector;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** Sends a file of JSON lines, one message per non-empty line; the message id is the line number. */
@Command(name = "file", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Sends JSON lines from a file or stdin, one message per non-empty line (message id = line number). "
                + "A line too long for a MESSAGE frame (--max-frame-length less " + Frames.MESSAGE_HEADER_BYTES
                + " bytes) is skipped with an ERROR naming it and sent as an empty message.")
public final class FileSourceCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(FileSourceCommand.class);
    private static final long FOLLOW_POLL_MILLIS = 200;

    @Mixin
    ConnectorOptions.Source engine;

    @Option(names = "--path", required = true, description = "The file to read, or - for stdin.")
    String path;

    @Option(names = "--stream", description = "Name of the source stream; defaults to the file's name, or stdin.")
    String stream;

    @Option(names = "--follow", description = "Keep reading as the file grows, like tail -f.")
    boolean follow;

    @Option(names = "--ack-timeout", description = "Seconds to wait at the end for the engine to acknowledge everything.")
    long ackTimeoutSeconds = 60;

    private final ObjectMapper json = new ObjectMapper();
    private int maxPayloadLength;

    @Override
    public Integer call() throws IOException {
        boolean stdin = "-".equals(path);
        if (!stdin && !Files.isReadable(Path.of(path))) {
            throw new ConfigurationException("--path " + path + " is not a readable file; give an existing file or - for stdin");
        }
        if (stdin && follow) {
            throw new ConfigurationException("--follow needs a file: stdin is read until it ends anyway");
        }
        String streamName = stream != null ? stream : stdin ? "stdin" : Path.of(path).getFileName().toString();
        ConnectorSettings settings = engine.settings("wallaby-source-file");
        maxPayloadLength = Frames.maxPayloadLength(settings.maxFrameLength());
        try (SourceConnector connector = new SourceConnector(settings);
             InputStream in = stdin ? System.in : new FileInputStream(path)) {
            connector.connect();
            long acknowledged = connector.openStream(streamName);
            long skipThrough = acknowledged == Frame.U64_MAX ? 0 : acknowledged;
            log.info("ready: sending {} on stream '{}'", stdin ? "stdin" : path, streamName);
            if (skipThrough > 0) {
                log.info("the engine has acknowledged lines up to {}; resuming after it", skipThrough);
            }
            long sent = send(in, connector, streamName, skipThrough);
            connector.flush();
            log.info("sent {} lines; waiting for the engine to acknowledge them", sent);
            if (!connector.closeStream(streamName, Duration.ofSeconds(ackTimeoutSeconds))) {
                log.error("the engine did not acknowledge everything within {} s", ackTimeoutSeconds);
                return ConnectorCommandLine.RUNTIME_FAILURE;
            }
            return ConnectorCommandLine.OK;
        }
    }

    /** Reads lines until the end (forever with --follow); returns how many were sent. */
    private long send(InputStream in, SourceConnector connector, String streamName, long skipThrough) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long lineLength = 0; // the whole line's; 'line' keeps only what could still be sent (plus a '\r')
        long lineNumber = 0;
        long sent = 0;
        while (true) {
            int n = in.read(chunk);
            if (n < 0) {
                if (!follow) {
                    break;
                }
                // A partial last line stays in 'line' until its newline arrives.
                connector.flush();
                sleep();
                continue;
            }
            for (int i = 0; i < n; i++) {
                if (chunk[i] != '\n') {
                    if (lineLength++ <= maxPayloadLength) {
                        line.write(chunk[i]);
                    }
                    continue;
                }
                lineNumber++;
                sent += sendLine(connector, streamName, lineNumber, line.toByteArray(), lineLength, skipThrough);
                line.reset();
                lineLength = 0;
            }
        }
        if (line.size() > 0) {
            lineNumber++;
            sent += sendLine(connector, streamName, lineNumber, line.toByteArray(), lineLength, skipThrough);
        }
        return sent;
    }

    private int sendLine(SourceConnector connector, String streamName, long lineNumber, byte[] bytes,
                         long lineLength, long skipThrough) {
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
            lineLength--;
        }
        if (lineLength > maxPayloadLength) {
            if (lineNumber <= skipThrough) {
                return 0;
            }
            // An empty message moves the stream past the line, so the ids (line numbers) after it stay put.
            log.error("line {} of {} has {} bytes, more than the {} a MESSAGE frame can carry with --max-frame-length "
                    + "{}; skipped (sent as an empty message)", lineNumber, path, lineLength, maxPayloadLength,
                    maxPayloadLength + Frames.MESSAGE_HEADER_BYTES);
            connector.write(streamName, lineNumber, new byte[0]);
            return 1;
        }
        byte[] payload = java.util.Arrays.copyOf(bytes, length);
        if (lineNumber <= skipThrough || new String(payload, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return 0;
        }
        try {
            json.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("line " + lineNumber + " of " + path + " is not valid JSON ("
                    + e.getOriginalMessage() + "); fix or remove that line and run again: lines before it were sent");
        } catch (IOException e) {
            throw new IllegalStateException("line " + lineNumber + " could not be parsed: " + e.getMessage(), e);
        }
        connector.write(streamName, lineNumber, payload);
        return 1;
    }

    private static void sleep() {
        try {
            Thread.sleep(FOLLOW_POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while following the file", e);
        }
    }
}
