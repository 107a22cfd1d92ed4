package io.wallaby.sink.postgres;

import io.wallaby.connector.SinkMessage;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * The data of a {@code COPY ... FROM STDIN} in text format, one payload a line. Works on the UTF-8 bytes
 * directly: the four bytes that need escaping are ASCII and never occur inside a multi-byte UTF-8 sequence,
 * so no decoding to a String is needed.
 */
final class AlertCopyText {

    private AlertCopyText() {
    }

    /** Every payload escaped for the text format, each followed by a newline; payloads must be valid UTF-8. */
    static byte[] of(List<SinkMessage> rows) {
        int size = 0;
        for (SinkMessage m : rows) {
            size += m.payload().length + 1;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + size / 16 + 16);
        for (SinkMessage m : rows) {
            append(out, m.payload());
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** Escapes backslash, tab, newline and carriage return; everything else stands for itself in text format. */
    static void append(ByteArrayOutputStream out, byte[] payload) {
        int start = 0;
        for (int i = 0; i < payload.length; i++) {
            byte escaped = switch (payload[i]) {
                case '\\' -> '\\';
                case '\t' -> 't';
                case '\n' -> 'n';
                case '\r' -> 'r';
                default -> 0;
            };
            if (escaped != 0) {
                out.write(payload, start, i - start);
                out.write('\\');
                out.write(escaped);
                start = i + 1;
            }
        }
        out.write(payload, start, payload.length - start);
    }
}
