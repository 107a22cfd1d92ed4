package io.wallaby.kafkabroker;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server.properties a set of flags turns into, and the durations the flags read. */
class BrokerSettingsTest {

    private static BrokerSettings settings(Duration sessionTimeout) {
        return new BrokerSettings("127.0.0.1", 19092, 19093, Path.of("/tmp/k"), sessionTimeout);
    }

    @Test
    void oneCombinedNodeWithOneReplicaOfEverything() {
        Map<String, String> p = settings(Duration.ofSeconds(6)).serverProperties();
        assertEquals("broker,controller", p.get("process.roles"));
        assertEquals("1@127.0.0.1:19093", p.get("controller.quorum.voters"));
        assertEquals("PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093", p.get("listeners"));
        assertEquals("PLAINTEXT://127.0.0.1:19092", p.get("advertised.listeners"));
        assertEquals(Path.of("/tmp/k/data").toString(), p.get("log.dirs"));
        for (String key : List.of("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "transaction.state.log.min.isr", "share.coordinator.state.topic.replication.factor",
                "share.coordinator.state.topic.min.isr")) {
            assertEquals("1", p.get(key), key);
        }
        assertEquals("false", p.get("auto.create.topics.enable"));
        assertEquals("0", p.get("group.initial.rebalance.delay.ms"));
    }

    @Test
    void theSessionTimeoutIsTheGroupsOwnAndItsMinimum() {
        Map<String, String> p = settings(Duration.ofSeconds(6)).serverProperties();
        assertEquals("6000", p.get("group.consumer.session.timeout.ms"));
        assertEquals("6000", p.get("group.consumer.min.session.timeout.ms"));
        assertEquals("60000", p.get("group.consumer.max.session.timeout.ms"));
        // Kafka wants the heartbeat at or above its minimum (5 s by default) and below the session timeout.
        assertEquals("1000", p.get("group.consumer.heartbeat.interval.ms"));
        assertEquals("1000", p.get("group.consumer.min.heartbeat.interval.ms"));

        Map<String, String> longer = settings(Duration.ofMinutes(2)).serverProperties();
        assertEquals("120000", longer.get("group.consumer.max.session.timeout.ms"), "raised to let 2 min in");
    }

    @Test
    void problemsAreNamedByTheirFlag() {
        assertEquals(List.of(), settings(Duration.ofSeconds(6)).problems());
        assertTrue(settings(Duration.ofMillis(1000)).problems().get(0).startsWith("--session-timeout"));
        assertTrue(new BrokerSettings("127.0.0.1", 0, 9093, Path.of("k"), Duration.ofSeconds(6)).problems().get(0)
                .startsWith("--port must be a port"));
    }

    @Test
    void durationsReadAsInEveryWallabyCommand() {
        DurationFlag durations = new DurationFlag();
        assertEquals(Duration.ofSeconds(6), durations.convert("6s"));
        assertEquals(Duration.ofMillis(1500), durations.convert("1500ms"));
        assertEquals(Duration.ofMinutes(1), durations.convert("1m"));
        assertEquals(Duration.ofSeconds(10), durations.convert("10"));
        assertEquals(Duration.ofSeconds(90), durations.convert("PT1M30S"));
    }
}
