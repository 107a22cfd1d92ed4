package io.wallaby.source.postgres.admin;

/**
 * The figures of a connector whose capture starts over in the same process (a stream taken over by a
 * standby and later given back): one capture after another, each counting from zero, shown as one set of
 * counts that never decrease.
 */
public final class FiguresAcrossTurns implements SourceFigures {

    private volatile SourceFigures current;
    private long sentBefore;
    private long acknowledgedBefore;

    public FiguresAcrossTurns(SourceFigures first) {
        this.current = first;
    }

    /** The current capture ended; {@code next} counts from here on. Called by the capture's thread. */
    public synchronized void next(SourceFigures next) {
        SourceFigures ended = current;
        sentBefore += ended.messagesSent();
        acknowledgedBefore += ended.messagesAcknowledged();
        current = next;
    }

    @Override
    public synchronized long messagesSent() { // with next(): never a count taken mid-switch
        return sentBefore + current.messagesSent();
    }

    @Override
    public synchronized long messagesAcknowledged() {
        return acknowledgedBefore + current.messagesAcknowledged();
    }

    @Override
    public double lagSeconds() {
        return current.lagSeconds();
    }

    @Override
    public Health health() {
        return current.health();
    }
}
