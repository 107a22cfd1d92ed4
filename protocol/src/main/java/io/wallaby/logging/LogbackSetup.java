package io.wallaby.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.MDC;
import org.slf4j.Marker;

import java.util.Iterator;

/** The logback side of {@link LogFormat}, in its own class so that it loads only when logback is there. */
final class LogbackSetup {

    static final String MDC_KEY = "connector";

    private LogbackSetup() {
    }

    static void useJsonEncoder() {
        LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
                JsonEncoder encoder = new JsonEncoder();
                encoder.setContext(context);
                // The formatted message only: the raw pattern and arguments would repeat it.
                encoder.setWithSequenceNumber(false);
                encoder.setWithNanoseconds(false);
                encoder.setWithContext(false);
                encoder.setWithMessage(false);
                encoder.setWithArguments(false);
                encoder.setWithFormattedMessage(true);
                encoder.start();
                console.stop();
                console.setEncoder(encoder);
                console.start();
            }
        }
    }

    static void identify(String identity) {
        LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        context.getTurboFilterList().removeIf(f -> f instanceof IdentityFilter);
        context.addTurboFilter(new IdentityFilter(identity));
    }

    /**
     * Sets the MDC entry on whichever thread is about to log, before the event copies the MDC. A connector
     * logs from threads it does not own (the SDK's reader, JDBC, shutdown hooks), and logback's MDC is not
     * inherited, so setting it once on the main thread would miss most lines.
     */
    private static final class IdentityFilter extends TurboFilter {
        private final String identity;

        IdentityFilter(String identity) {
            this.identity = identity;
            start();
        }

        @Override
        public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                                  Throwable t) {
            if (!identity.equals(MDC.get(MDC_KEY))) {
                MDC.put(MDC_KEY, identity);
            }
            return FilterReply.NEUTRAL;
        }
    }
}
