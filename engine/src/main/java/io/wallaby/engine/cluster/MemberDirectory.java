package io.wallaby.engine.cluster;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Who serves which partition, as the consumer group last described itself ({@code describeConsumerGroups}):
 * the members, each with the address in its client id and the partitions assigned to it, and the partitions
 * nobody holds, with since when. A snapshot replaced whole on each refresh, so readers on any thread see one
 * consistent picture without locking; it may lag the group by a refresh, which costs a connector one more
 * redirect or retry, never a wrong answer about this engine's own partitions (those come from the consumer).
 */
final class MemberDirectory {

    /** One member as the group describes it; {@code address} null when its client id is not an engine's. */
    record Member(String clientId, MemberAddress address, List<Integer> partitions) {
    }

    /** A picture of the group at one moment. */
    record Snapshot(List<Member> members, Map<Integer, MemberAddress> owners, Map<Integer, Long> unownedSinceMillis,
                    long takenAtMillis) {
        static final Snapshot EMPTY = new Snapshot(List.of(), Map.of(), Map.of(), 0);
    }

    private final String group;
    private final String controlTopic;
    private final int partitions;
    private volatile Snapshot snapshot = Snapshot.EMPTY;

    MemberDirectory(String group, String controlTopic, int partitions) {
        this.group = group;
        this.controlTopic = controlTopic;
        this.partitions = partitions;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** The engine serving {@code partition} as last described, or null when none is known. */
    MemberAddress owner(int partition) {
        return snapshot.owners().get(partition);
    }

    /** Asks the group again; waits up to {@code timeoutMillis}. On the membership thread. */
    void refresh(Admin admin, long timeoutMillis)
            throws ExecutionException, InterruptedException, TimeoutException {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups()
                .get(group).get(timeoutMillis, TimeUnit.MILLISECONDS);
        long now = System.currentTimeMillis();
        List<Member> members = new ArrayList<>();
        Map<Integer, MemberAddress> owners = new HashMap<>();
        for (MemberDescription member : description.members()) {
            MemberAddress address = MemberAddress.parse(member.clientId()).orElse(null);
            List<Integer> held = new ArrayList<>();
            for (TopicPartition partition : member.assignment().topicPartitions()) {
                if (partition.topic().equals(controlTopic)) {
                    held.add(partition.partition());
                    if (address != null) {
                        owners.put(partition.partition(), address);
                    }
                }
            }
            held.sort(null);
            members.add(new Member(member.clientId(), address, List.copyOf(held)));
        }
        members.sort((a, b) -> a.clientId().compareTo(b.clientId()));
        Map<Integer, Long> unowned = new TreeMap<>();
        Map<Integer, Long> before = snapshot.unownedSinceMillis();
        for (int p = 0; p < partitions; p++) {
            if (!owners.containsKey(p)) {
                unowned.put(p, before.getOrDefault(p, now));
            }
        }
        snapshot = new Snapshot(List.copyOf(members), Map.copyOf(owners), Map.copyOf(unowned), now);
    }
}
