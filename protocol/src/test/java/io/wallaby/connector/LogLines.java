package io.wallaby.connector;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The lines one logger writes while a test runs, kept by a real logback appender. */
public final class LogLines implements AutoCloseable {

    private final Logger logger;
    private final Level levelBefore;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogLines(Class<?> loggerOf) {
        this(loggerOf.getName(), null);
    }

    /**
     * The lines of the logger named {@code loggerName} (for a class the test cannot see), down to
     * {@code level} while the test runs (null: the configured level).
     */
    public LogLines(String loggerName, Level level) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        this.levelBefore = logger.getLevel();
        if (level != null) {
            logger.setLevel(level);
        }
        appender.start();
        logger.addAppender(appender);
    }

    public List<String> messages() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** Waits (up to 20 s) for a line that {@code matches}, and returns it. */
    public String await(Predicate<String> matches) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (String message : messages()) {
                if (matches.test(message)) {
                    return message;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no such log line from " + logger.getName() + "; got " + messages());
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(levelBefore);
    }
}
