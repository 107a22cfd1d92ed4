package io.wallaby.engine;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

import java.net.URL;

/** How log lines look: {@code text} for people, {@code json} (one object per line) for log shippers. */
public enum LogFormat {
    // Lower case: these are the values written after --log-format.
    text("logback.xml"),
    json("logback-json.xml");

    private final String configuration;

    LogFormat(String configuration) {
        this.configuration = configuration;
    }

    /** Reconfigures logback from this format's configuration file; text is what logback starts with. */
    public void apply() {
        if (this == text || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        URL resource = LogFormat.class.getClassLoader().getResource(configuration);
        if (resource == null) {
            throw new IllegalStateException(configuration + " is missing from the engine's classpath");
        }
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(resource);
        } catch (JoranException e) {
            throw new IllegalStateException("cannot configure logging from " + resource + ": " + e.getMessage(), e);
        }
    }
}
