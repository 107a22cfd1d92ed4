package io.wallaby.connector;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The SDK's reading of an engine's client id (docs/PROTOCOL.md, "Clusters: the engines' addresses in the group").
 * The engine's side, that what its {@code MemberAddress.clientId()} writes is read here, is
 * {@code MemberAddressContractTest} in the engine module (which depends on this one, not the other way).
 */
class ClusterMemberTest {

    @Test
    void readsTheClientIdAnEngineJoinsWith() {
        // Written exactly as engine/.../cluster/MemberAddress.clientId() writes it.
        ClusterMember member = ClusterMember.parseClientId("wallaby-engine@10.0.0.7:7101;sink=7201;admin=7301").orElseThrow();
        assertEquals(new ClusterMember("10.0.0.7", 7101, 7201, 7301), member);
        assertEquals(new EngineAddress("10.0.0.7", 7201), member.sinkAddress());
        assertEquals(new EngineAddress("10.0.0.7", 7101), member.sourceAddress());
        assertEquals(new ClusterMember("engine-2.example", 7100, 7200, -1),
                ClusterMember.parseClientId("wallaby-engine@engine-2.example:7100;sink=7200;admin=-1").orElseThrow());
    }

    @Test
    void toleratesFieldsInAnotherOrderAndFieldsItDoesNotKnow() {
        assertEquals(Optional.of(new ClusterMember("h", 1, 2, -1)),
                ClusterMember.parseClientId("wallaby-engine@h:1;zone=eu;sink=2"));
        assertEquals(Optional.of(new ClusterMember("::1", 7100, 7200, 7300)),
                ClusterMember.parseClientId("wallaby-engine@[::1]:7100;admin=7300;sink=7200"));
    }

    @Test
    void anythingElseIsNotAnEngine() {
        for (String id : new String[] {null, "", "consumer-1", "wallaby-engine@", "wallaby-engine@h:7100",
                "wallaby-engine@:7100;sink=7200", "wallaby-engine@h:x;sink=7200", "wallaby-engine@h:7100;sink=0",
                "wallaby-engine@h:7100;sink=70000", "wallaby-engine@h;sink=7200", "other@h:7100;sink=7200"}) {
            assertEquals(Optional.empty(), ClusterMember.parseClientId(id), String.valueOf(id));
        }
    }
}
