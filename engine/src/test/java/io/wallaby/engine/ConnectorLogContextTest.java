package io.wallaby.engine;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wallaby.apps.AlertStateless;
import io.wallaby.engine.connection.ConnectorLogContextHandler;
import io.wallaby.engine.source.SourceSessionHandler;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Session log lines carry the connector's identity in the MDC. */
class ConnectorLogContextTest {

    @Test
    void aSessionsLogLinesNameItsConnector() throws Exception {
        Logger sessionLog = (Logger) LoggerFactory.getLogger(SourceSessionHandler.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        sessionLog.addAppender(lines);
        try (EngineServer engine = new EngineServer(EngineConfig.onFreePorts(), new AlertStateless()).start();
             Peer source = Peer.connect(engine.sourcePort())) {
            source.hello("");
            source.notifyStream("named");
        } finally {
            sessionLog.detachAppender(lines);
        }
        List<ILoggingEvent> opened = lines.list.stream()
                .filter(e -> e.getFormattedMessage().contains("opened stream named")).toList();
        assertEquals(1, opened.size(), lines.list::toString);
        String connector = opened.get(0).getMDCPropertyMap().get(ConnectorLogContextHandler.MDC_KEY);
        assertTrue(connector.startsWith("test/peer@/127.0.0.1:"), connector);
    }
}
