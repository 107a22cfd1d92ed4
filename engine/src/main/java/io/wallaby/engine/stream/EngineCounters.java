package io.wallaby.engine.stream;

import java.util.concurrent.atomic.AtomicLong;

/** What the engine has seen since it started, for logs and tests. Thread-safe. */
public final class EngineCounters {

    final AtomicLong messagesProcessed = new AtomicLong();
    final AtomicLong duplicatesDropped = new AtomicLong();
    final AtomicLong decodeFailures = new AtomicLong();
    final AtomicLong applicationFailures = new AtomicLong();
    final AtomicLong outputsProduced = new AtomicLong();
    final AtomicLong lateInputs = new AtomicLong();
    final AtomicLong redirects = new AtomicLong();
    final AtomicLong redirectedDrops = new AtomicLong();

    /** Source messages run through the application (duplicates excluded, empty payloads included). */
    public long messagesProcessed() {
        return messagesProcessed.get();
    }

    /** Source messages dropped because their id was not above the last one seen on their stream. */
    public long duplicatesDropped() {
        return duplicatesDropped.get();
    }

    /** Payloads the application's decoder rejected. */
    public long decodeFailures() {
        return decodeFailures.get();
    }

    /** Messages on which the application's code threw a runtime exception or broke its contract. */
    public long applicationFailures() {
        return applicationFailures.get();
    }

    /** Outputs appended to output logs. */
    public long outputsProduced() {
        return outputsProduced.get();
    }

    public void countProcessed(int outputs) {
        messagesProcessed.incrementAndGet();
        if (outputs != 0) { // most messages raise nothing: spare them the second atomic add
            outputsProduced.addAndGet(outputs);
        }
    }

    /** Messages a windowed step found late: every window they belong to had closed. */
    public long lateInputs() {
        return lateInputs.get();
    }

    public void countLate() {
        lateInputs.incrementAndGet();
    }

    public void countDuplicate() {
        duplicatesDropped.incrementAndGet();
    }

    public void countDecodeFailure() {
        decodeFailures.incrementAndGet();
    }

    public void countApplicationFailure() {
        applicationFailures.incrementAndGet();
    }

    /** Streams sent to another engine of the cluster (RESTART then NOTIFY_ACK 0), on NOTIFY or when moved. */
    public long redirects() {
        return redirects.get();
    }

    /** Frames dropped because the connector sent them before it heard its stream had moved to another engine. */
    public long redirectedDrops() {
        return redirectedDrops.get();
    }

    public void countRedirect() {
        redirects.incrementAndGet();
    }

    public void countRedirectedDrop() {
        redirectedDrops.incrementAndGet();
    }
}
