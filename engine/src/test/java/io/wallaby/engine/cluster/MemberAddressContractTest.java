package io.wallaby.engine.cluster;

import io.wallaby.connector.ClusterMember;
import io.wallaby.connector.EngineAddress;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The engine's side of the client-id contract (docs/PROTOCOL.md, "Clusters: the engines' addresses in the group"):
 * what {@link MemberAddress#clientId()} writes, the SDK's {@link ClusterMember} reads back to the same addresses,
 * so a sink connector given {@code --kafka}/{@code --cluster} dials each engine's sink port. The SDK's side is
 * {@code ClusterMemberTest} in the protocol module.
 */
class MemberAddressContractTest {

    @Test
    void theSdkReadsEveryAddressTheEngineWrites() {
        for (MemberAddress address : new MemberAddress[] {
                new MemberAddress("127.0.0.1", 7101, 7201, 7301),
                new MemberAddress("engine-3.prod.example", 7100, 7200, -1),
                new MemberAddress("10.1.2.3", 1, 65535, 9000)}) {
            ClusterMember member = ClusterMember.parseClientId(address.clientId()).orElseThrow(
                    () -> new AssertionError("the SDK does not read " + address.clientId()));
            assertEquals(new ClusterMember(address.host(), address.sourcePort(), address.sinkPort(),
                    address.adminPort()), member, address.clientId());
            assertEquals(new EngineAddress(address.host(), address.sinkPort()), member.sinkAddress());
            assertEquals(MemberAddress.parse(address.clientId()).orElseThrow(), address, "and the engine reads it too");
        }
    }
}
