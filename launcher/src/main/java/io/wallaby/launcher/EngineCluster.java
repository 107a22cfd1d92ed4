package io.wallaby.launcher;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Several engines started as one cluster on this machine ({@code --kafka}, {@code --cluster}), each a process of
 * its own, and what their {@code /status} pages say together: who serves which partition, which streams each
 * engine has served, and whether anything is still pending. The demo and the cluster tests use it.
 */
public final class EngineCluster {

    /** One engine of the cluster: its process while it runs, and its ports. */
    public static final class Member {
        private final String name;
        private final Pieces.EnginePorts ports;
        private PieceProcess process;

        private Member(String name, Pieces.EnginePorts ports) {
            this.name = name;
            this.ports = ports;
        }

        public String name() {
            return name;
        }

        public Pieces.EnginePorts ports() {
            return ports;
        }

        public PieceProcess process() {
            return process;
        }

        public boolean running() {
            return process != null && process.isAlive();
        }

        JsonNode status() throws IOException, InterruptedException {
            return new EngineStatus(ports.admin()).read();
        }
    }

    private final Pieces pieces;
    private final String kafka;
    private final String name;
    private final int partitions;
    private final List<String> engineArgs;
    private final List<Member> members = new ArrayList<>();

    /**
     * @param members    how many engines there may be (ports are set aside for each, so connectors can be told
     *                   every address up front, also of an engine started later)
     * @param engineArgs what every engine gets besides its ports and the cluster flags (the application, ...)
     */
    public EngineCluster(Pieces pieces, String kafka, String name, int partitions, int members, List<String> engineArgs)
            throws IOException {
        this.pieces = pieces;
        this.kafka = kafka;
        this.name = name;
        this.partitions = partitions;
        this.engineArgs = List.copyOf(engineArgs);
        for (int i = 1; i <= members; i++) {
            this.members.add(new Member("engine-" + i, Pieces.EnginePorts.free()));
        }
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    public Member member(int number) {
        return members.get(number - 1);
    }

    /** Starts engine {@code number} (from 1) and waits until it is ready (it joins the group right after). */
    public Member start(int number) throws IOException, InterruptedException {
        Member member = member(number);
        List<String> args = new ArrayList<>(List.of("--kafka", kafka, "--cluster", name,
                "--cluster-partitions", Integer.toString(partitions)));
        args.addAll(engineArgs);
        member.process = pieces.startEngine(member.name(), member.ports(), args.toArray(String[]::new));
        return member;
    }

    /** Every engine's source address, {@code host:port,...}: what a source connector is given. */
    public String sourceAddresses() {
        return String.join(",", members.stream().map(m -> m.ports().sourceAddress()).toList());
    }

    /** Every engine's sink address: a sink connector drains them all, and retries those not running yet. */
    public String sinkAddresses() {
        return String.join(",", members.stream().map(m -> m.ports().sinkAddress()).toList());
    }

    /**
     * Waits until the running engines between them serve every partition, each exactly once, every engine some
     * (the group settles in steps: for a moment one engine may hold them all), and returns how long that took:
     * after a kill, the time until orphaned partitions are served again.
     */
    public Duration awaitEveryPartitionServed(Duration timeout) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            Map<String, List<Integer>> owned = ownedByRunning();
            Set<Integer> served = new HashSet<>();
            int total = 0;
            boolean everyEngineServes = true;
            for (List<Integer> p : owned.values()) {
                served.addAll(p);
                total += p.size();
                everyEngineServes &= !p.isEmpty() || owned.size() > partitions;
            }
            if (served.size() == partitions && total == partitions && everyEngineServes) {
                return Duration.ofNanos(System.nanoTime() - started);
            }
            last = owned.toString();
            Thread.sleep(50); // polling the engines' /status for a condition
        }
        throw new IllegalStateException("the running engines did not serve all " + partitions + " partitions within "
                + timeout + "; last seen: " + last);
    }

    /** The partitions each running engine says it serves. */
    public Map<String, List<Integer>> ownedByRunning() throws InterruptedException {
        return ownedByRunningExcept(null);
    }

    /**
     * As {@link #ownedByRunning()}, without asking {@code skipped}: a frozen engine (SIGSTOP) would hold each
     * question up until its timeout.
     */
    public Map<String, List<Integer>> ownedByRunningExcept(Member skipped) throws InterruptedException {
        Map<String, List<Integer>> owned = new LinkedHashMap<>();
        for (Member member : members) {
            if (!member.running() || member == skipped) {
                continue;
            }
            try {
                List<Integer> p = new ArrayList<>();
                member.status().path("cluster").path("owned").forEach(n -> p.add(n.asInt()));
                owned.put(member.name(), p);
            } catch (IOException unreachable) {
                owned.put(member.name(), List.of()); // paused, or not listening yet
            }
        }
        return owned;
    }

    /**
     * The source streams each running engine serves now and has taken messages on since it took them, with how
     * many: which engine serves which stream (an engine forgets a stream whose partition moved away).
     */
    public Map<String, Map<String, Long>> streamsServed() throws IOException, InterruptedException {
        Map<String, Map<String, Long>> served = new LinkedHashMap<>();
        for (Member member : members) {
            if (member.running()) {
                served.put(member.name() + " (" + member.ports().sourceAddress() + ")", streamsServedBy(member));
            }
        }
        return served;
    }

    private static Map<String, Long> streamsServedBy(Member member) throws IOException, InterruptedException {
        Map<String, Long> streams = new TreeMap<>();
        for (JsonNode stream : member.status().path("sourceStreams")) {
            if (stream.path("messagesIn").asLong() > 0) {
                streams.put(stream.path("name").asText(), stream.path("messagesIn").asLong());
            }
        }
        return streams;
    }

    /**
     * The running engine that serves the most source streams now, for a fault that should hit streams: with
     * few streams over many partitions, an engine may serve none. Null when none serves any.
     */
    public Member busiest() throws IOException, InterruptedException {
        Member busiest = null;
        int most = 0;
        for (Member member : members) {
            if (member.running()) {
                int streams = streamsServedBy(member).size();
                if (streams > most) {
                    busiest = member;
                    most = streams;
                }
            }
        }
        return busiest;
    }

    /**
     * Waits until every one of {@code streams} is open on a running engine and has acknowledged there the last
     * message it saw, nothing in flight ({@link EngineStatus#awaitAcknowledged}, over the whole cluster): from then
     * on nothing more reaches the sinks. An engine that does not answer is asked again.
     *
     * @throws IllegalStateException with the streams still behind when {@code timeout} passes
     */
    public void awaitAcknowledged(List<String> streams, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> behind;
        while (true) {
            List<JsonNode> sourceStreams = new ArrayList<>();
            List<String> unreachable = new ArrayList<>();
            for (Member member : members) {
                if (!member.running()) {
                    continue;
                }
                try {
                    member.status().path("sourceStreams").forEach(sourceStreams::add);
                } catch (IOException e) {
                    unreachable.add(member.name() + " unreachable: " + e);
                }
            }
            behind = EngineStatus.behind(sourceStreams, streams);
            if (behind.isEmpty()) {
                return;
            }
            behind.addAll(unreachable);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the engines did not acknowledge everything they saw within " + timeout
                        + "; still behind: " + behind);
            }
            Thread.sleep(100); // polling the engines' /status for a condition
        }
    }

    /**
     * Waits until no running engine holds an output its sinks have not committed: from then on nothing more
     * reaches the sink (what an engine made of a replay the sink skips as already committed).
     */
    public void awaitNothingPending(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> pending = Map.of();
        while (System.nanoTime() < deadline) {
            pending = new LinkedHashMap<>();
            for (Member member : members) {
                if (!member.running()) {
                    continue;
                }
                try {
                    long p = member.status().path("counters").path("outputsPending").asLong();
                    if (p > 0) {
                        pending.put(member.name(), p);
                    }
                } catch (IOException unreachable) {
                    pending.put(member.name() + " unreachable", -1L);
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            Thread.sleep(100); // polling the engines' /status for a condition
        }
        throw new IllegalStateException("outputs still pending after " + timeout + ": " + pending);
    }
}
