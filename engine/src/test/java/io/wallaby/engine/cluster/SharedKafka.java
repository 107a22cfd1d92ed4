package io.wallaby.engine.cluster;

import io.wallaby.kafkabroker.KafkaBrokerProcess;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One broker process for every test class of this package that registers this extension, started by the first and
 * stopped when the whole run ends (a resource of the root context), since a start costs seconds and the classes
 * keep apart by cluster name anyway.
 */
final class SharedKafka implements BeforeAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedKafka.class);
    private static volatile Broker broker;

    /** {@code 127.0.0.1:PORT} of the shared broker. */
    static String bootstrap() {
        return broker.process.bootstrap();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Broker.class, key -> Broker.start(),
                Broker.class);
    }

    /** The broker and its directory, closed with the root context. */
    private record Broker(KafkaBrokerProcess process, Path dir) implements ExtensionContext.Store.CloseableResource {

        static Broker start() {
            try {
                Path dir = Files.createTempDirectory("wallaby-checkpoints-kafka-");
                return new Broker(KafkaBrokerProcess.start(dir), dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws Exception {
            try {
                process.close();
            } finally {
                try (Stream<Path> paths = Files.walk(dir)) {
                    for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(path);
                    }
                }
            }
        }
    }
}
