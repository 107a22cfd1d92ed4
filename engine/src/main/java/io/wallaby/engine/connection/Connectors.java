package io.wallaby.engine.connection;

import io.netty.channel.ChannelId;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Every connector connected now, on both ports. Thread-safe. */
public final class Connectors {

    private final ConcurrentMap<ChannelId, ConnectorInfo> connected = new ConcurrentHashMap<>();

    void add(ChannelId channel, ConnectorInfo info) {
        connected.put(channel, info);
    }

    void remove(ChannelId channel) {
        connected.remove(channel);
    }

    /** Oldest connection first. */
    public List<ConnectorInfo> list() {
        return connected.values().stream().sorted(Comparator.comparing(ConnectorInfo::connectedSince)).toList();
    }
}
