package io.wallaby.kafkabroker;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real single-node Kafka broker for one test class, as its own process ({@link KafkaBrokerProcess}): started before
 * its tests in a fresh temporary directory, stopped and deleted after them.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
 *
 * props.put("bootstrap.servers", kafka.bootstrap());
 * }</pre>
 *
 * In this module's test jar. Another module uses it with {@code wallaby-kafka-broker} (every transitive dependency
 * excluded: the broker runs on its own classpath) and the {@code test-jar} of it, both test scope, and its own
 * {@code kafka-clients}.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private final List<String> flags = new ArrayList<>();
    private Path dir;
    private KafkaBrokerProcess broker;

    /** A flag of {@code wallaby-kafka-broker}, such as {@code with("--session-timeout", "10s")}; before the class starts. */
    public KafkaBrokerExtension with(String flag, String value) {
        flags.add(flag);
        flags.add(value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("wallaby-kafka-");
        broker = KafkaBrokerProcess.start(dir, flags);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (broker != null) {
                broker.close();
                broker = null;
            }
        } finally {
            if (dir != null) {
                deleteRecursively(dir);
                dir = null;
            }
        }
    }

    /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
    public String bootstrap() {
        return broker.bootstrap();
    }

    /** The broker process, to kill or stop it in a test. */
    public KafkaBrokerProcess process() {
        return broker;
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
