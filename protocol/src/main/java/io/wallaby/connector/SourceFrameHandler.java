package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link SourceConnector}'s reader thread does with the engine's frames: ACK adds credits and
 * moves streams forward, NOTIFY_ACK wakes the stream's opener, ERROR and RESTART end the session so the
 * connector's next call reconnects.
 */
final class SourceFrameHandler implements EngineConnection.Handler {

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);

    private final SourceConnector connector;
    private final EngineConnection session;

    SourceFrameHandler(SourceConnector connector, EngineConnection session) {
        this.connector = connector;
        this.session = session;
    }

    @Override
    public void onFrame(Frame frame) {
        List<String> acknowledged = new ArrayList<>();
        List<Long> points = new ArrayList<>();
        connector.lock.lock();
        try {
            if (connector.connection != session) {
                return; // a late frame from a session that was already replaced
            }
            switch (frame.type()) {
                case ACK -> {
                    Frame.Ack ack = (Frame.Ack) frame;
                    connector.credits += ack.credits();
                    for (Frame.StreamPoint point : ack.points()) {
                        SourceStream stream = connector.streamsById.get(point.streamId());
                        if (stream == null) {
                            continue;
                        }
                        if (stream.eosSent) {
                            stream.eosAcknowledged = true;
                        }
                        if (stream.acknowledge(point.pointOfReference())) {
                            acknowledged.add(stream.name);
                            points.add(point.pointOfReference());
                        }
                    }
                }
                case NOTIFY_ACK -> {
                    Frame.NotifyAck answer = (Frame.NotifyAck) frame;
                    SourceStream stream = connector.streamsById.get(answer.streamId());
                    if (stream != null) {
                        stream.pendingNotifyAck = answer;
                    }
                }
                case ERROR -> {
                    log.warn("the engine ended the session: {}; reconnecting", ((Frame.Error) frame).reason());
                    connector.dropConnection(session);
                }
                case RESTART -> {
                    String address = ((Frame.Restart) frame).address();
                    restartAt(address);
                    connector.dropConnection(session);
                }
                default -> {
                    log.warn("the engine sent {}, which a source connector never receives; reconnecting", frame.type());
                    connector.dropConnection(session);
                }
            }
            connector.signalChange();
        } finally {
            connector.lock.unlock();
        }
        for (int i = 0; i < acknowledged.size(); i++) {
            connector.listener().onAcknowledged(acknowledged.get(i), points.get(i));
        }
    }

    private void restartAt(String address) {
        if (address.isEmpty()) {
            log.info("the engine asked for a restart; reconnecting");
            return;
        }
        int colon = address.lastIndexOf(':');
        try {
            String host = address.substring(0, colon);
            int port = Integer.parseInt(address.substring(colon + 1));
            connector.target = connector.target.withAddress(host, port);
            log.info("the engine asked for a restart at {}; reconnecting there", address);
        } catch (RuntimeException e) {
            log.warn("the engine asked for a restart at '{}', which is not host:port; reconnecting to the same address",
                    address);
        }
    }

    @Override
    public void onClosed(Exception cause) {
        connector.lock.lock();
        try {
            if (connector.connection == session && !connector.isClosed()) {
                log.warn("lost the engine session ({}); reconnecting on the next call",
                        cause == null ? "closed" : cause.getMessage());
            }
            connector.dropConnection(session);
        } finally {
            connector.lock.unlock();
        }
    }
}
