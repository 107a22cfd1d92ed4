package io.wallaby.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Brings a freshly started engine to steady state before a capture is measured through it: the engine is a
 * long-running server, and a cold one (interpreted and half-compiled code on 2 shared cores) would set the pace
 * of a source that only sends as fast as the engine's credits come back. {@value #MESSAGES} transactions, half
 * as flat rows (the table capture's form) and half as change envelopes (the logical capture's), every one raising
 * an alert, on a stream of their own so no real source's ids are touched.
 */
final class EngineWarmUp {

    static final int MESSAGES = 200_000;
    static final String STREAM = "bench_warmup";
    private static final byte[][] PAYLOADS = payloads();

    private EngineWarmUp() {
    }

    /** Sends the warm-up and waits until the engine has acknowledged all of it; returns the alerts it raised. */
    static long send(int sourcePort) throws InterruptedException {
        try (SyntheticSource source = new SyntheticSource(sourcePort, STREAM)) {
            source.writeAll(PAYLOADS);
            source.awaitAcknowledged(Duration.ofMinutes(5));
        }
        return MESSAGES;
    }

    /** Sends the warm-up into an engine whose alerts go to {@code sink}, and waits until the sink has read them. */
    static void send(int sourcePort, CountingSink sink) throws InterruptedException {
        long before = sink.count();
        try (SyntheticSource source = new SyntheticSource(sourcePort, STREAM)) {
            source.writeAll(PAYLOADS);
            sink.awaitCount(before + MESSAGES, Duration.ofMinutes(5));
        }
    }

    private static byte[][] payloads() {
        byte[][] payloads = new byte[MESSAGES][];
        for (int i = 0; i < MESSAGES; i++) {
            long id = -1 - i; // below every id a load uses
            String amount = (1001 + i % 249) + ".00";
            String row = "{\"id\":" + id + ",\"amount\":" + amount + ",\"created_at\":\"2026-12-01T18:00:00.123456+00:00\"}";
            String text = i % 2 == 0 ? row : "{\"op\":\"c\",\"table\":\"public.transactions\",\"before\":null,\"after\":"
                    + row + ",\"source\":{\"commit_lsn\":\"0/1A2B3C4\",\"txid\":" + (735 + i) + ",\"commit_time\":"
                    + "\"2026-12-01T18:00:00.123456+00:00\",\"position\":0}}";
            payloads[i] = text.getBytes(StandardCharsets.UTF_8);
        }
        return payloads;
    }
}
