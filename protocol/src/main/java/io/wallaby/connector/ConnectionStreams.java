package io.wallaby.connector;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one {@link SourceConnection} knows of the streams on it: those its engine accepted (and has not moved
 * away since), the NOTIFYs sent whose NOTIFY_ACK has not come, the answers not yet taken by the stream's
 * opener, and the streams it sent EOS for; and from these, whether the engine owes the connection an answer.
 * Keyed by the OpenStream itself, not its id: a stream closed and opened again is a new OpenStream, and needs
 * a NOTIFY of its own. Guarded by the connector's lock: the callers' threads hold it, and so does the
 * connection's reader thread while it handles a frame.
 */
final class ConnectionStreams {

    /** The engine's answer to a NOTIFY: a NOTIFY_ACK, and the address of the RESTART just before it (null: none). */
    record Answer(boolean success, long point, String redirect) {
    }

    private final Set<OpenStream> accepted = new HashSet<>();
    private final Map<OpenStream, Answer> answers = new HashMap<>();
    private final Set<OpenStream> eosSent = new HashSet<>();
    /** Streams whose NOTIFY went out on this connection and whose NOTIFY_ACK has not come yet. */
    private final Set<OpenStream> notified = new HashSet<>();

    boolean hasAccepted(OpenStream stream) {
        return accepted.contains(stream);
    }

    boolean hasAcceptedAll(Collection<OpenStream> streams) {
        return accepted.containsAll(streams);
    }

    void accepted(OpenStream stream) {
        accepted.add(stream);
    }

    /** Forgets an earlier answer, before a NOTIFY whose answer is awaited. */
    void clearAnswer(OpenStream stream) {
        answers.remove(stream);
    }

    /** The stream's NOTIFY is about to go out: its answer is awaited (marked before: it may come before the send returns). */
    void notifySent(OpenStream stream) {
        notified.add(stream);
    }

    /** The engine's answer to the stream's NOTIFY, once; null while none has come. */
    Answer takeAnswer(OpenStream stream) {
        return answers.remove(stream);
    }

    boolean sentEos(OpenStream stream) {
        return eosSent.contains(stream);
    }

    void eosSent(OpenStream stream) {
        eosSent.add(stream);
    }

    /** The EOS marked sent did not go out: the connection ended, or the stream moved away, first. */
    void forgetEos(OpenStream stream) {
        eosSent.remove(stream);
    }

    /** The stream was closed or taken over. */
    void forget(OpenStream stream) {
        accepted.remove(stream);
        answers.remove(stream);
        eosSent.remove(stream);
        notified.remove(stream);
    }

    /** The streams the engine accepted on this connection and has not moved away. */
    List<OpenStream> acceptedStreams() {
        return List.copyOf(accepted);
    }

    /** A NOTIFY_ACK came for the stream: its answer, kept for the opener. */
    void answered(OpenStream stream, Answer answer) {
        notified.remove(stream);
        answers.put(stream, answer);
    }

    /**
     * RESTART(address) then NOTIFY_ACK(false) for the stream: when it was open here, the engine moved it away
     * (from now on it drops what this connection still sends on the stream: nothing to undo); else it is the
     * answer to its NOTIFY, kept for the opener.
     *
     * @return true when the stream was open here and moved away
     */
    boolean redirected(OpenStream stream, long point, String address) {
        notified.remove(stream);
        if (accepted.remove(stream)) {
            eosSent.remove(stream);
            return true;
        }
        answers.put(stream, new Answer(false, point, address));
        return false;
    }

    /**
     * Whether the engine owes this connection an answer for its streams: messages of a stream open here are not
     * acknowledged (sent, or waiting for credit), a NOTIFY or an EOS is not answered.
     */
    boolean owed() {
        if (!notified.isEmpty()) {
            return true;
        }
        for (OpenStream stream : accepted) {
            if (!stream.fullyAcknowledged()) {
                return true;
            }
        }
        for (OpenStream stream : eosSent) {
            if (!stream.isEosAcknowledged()) {
                return true;
            }
        }
        return false;
    }

    /** What the connection waits for, for a log line: "120 messages not acknowledged on 2 streams, no credit left". */
    String describeWait(boolean noCreditLeft) {
        List<String> parts = new ArrayList<>();
        long messages = 0;
        int streams = 0;
        for (OpenStream stream : accepted) {
            if (!stream.fullyAcknowledged()) {
                messages += stream.unacknowledgedCount();
                streams++;
            }
        }
        if (streams > 0) {
            parts.add(messages + " message" + (messages == 1 ? "" : "s") + " not acknowledged on " + streams
                    + " stream" + (streams == 1 ? "" : "s"));
        }
        if (noCreditLeft) {
            parts.add("no credit left");
        }
        if (!notified.isEmpty()) {
            parts.add(notified.size() + " NOTIFY not answered");
        }
        long eos = eosSent.stream().filter(stream -> !stream.isEosAcknowledged()).count();
        if (eos > 0) {
            parts.add(eos + " EOS not answered");
        }
        return parts.isEmpty() ? "nothing outstanding" : String.join(", ", parts);
    }
}
