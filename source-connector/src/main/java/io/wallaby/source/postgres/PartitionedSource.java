package io.wallaby.source.postgres;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.SourceConnector;
import io.wallaby.connector.StreamPartitions;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.SqlIdentifiers;
import io.wallaby.source.postgres.admin.SourceAdminOptions;
import io.wallaby.source.postgres.admin.SlotStatusPoller;
import io.wallaby.source.postgres.admin.SourceAdminServer;
import io.wallaby.source.postgres.admin.SourceFigures;
import io.wallaby.source.postgres.logical.LogicalCapture;
import io.wallaby.source.postgres.logical.LogicalSettings;
import io.wallaby.source.postgres.logical.Partition;
import io.wallaby.protocol.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * How {@link PostgresSourceCommand} runs with {@code --partitions N} above 1: the streams {@code <stream>.0 ..},
 * a capture for each ({@link PartitionedCaptures}) on one {@link SourceConnector}, one {@code ready: N partitions
 * of stream ...} line once every partition captures, and the admin port over all of them: each partition stream's
 * figures and its own slot's, as series tagged with the partition stream and its slot.
 *
 * @param stream     the unpartitioned stream's name
 * @param partitions how many partition streams, at least 2
 * @param column     the partition column
 */
record PartitionedSource(ConnectionString database, ConnectorSettings settings, SourceAdminOptions admin,
                         String stream, int partitions, String column, BooleanSupplier stopping,
                         Duration shutdownTimeout) {

    private static final Logger log = LoggerFactory.getLogger(PartitionedSource.class);

    private String partitionStream(int partition) {
        return StreamPartitions.streamName(stream, partition);
    }

    /**
     * The logical capture of {@code --partitions N}: a slot per partition ({@code wallaby_<stream>_<p>}, or
     * {@code --slot} with {@code _<p>}), one publication for all. Each slot decodes the whole WAL and passes over
     * the other partitions' changes: N times the decoding work of one slot, for a numbering per stream that is
     * exactly the unpartitioned capture's, restart rules and all.
     */
    int runLogical(Connection db, List<String> qualified, String slot, String publicationName, boolean initialSnapshot,
                   Duration statusInterval, Duration heartbeatInterval) throws Exception {
        List<LogicalCapture> made = new ArrayList<>();
        List<String> slots = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            String partitionSlot = (slot != null ? slot : PostgresSourceCommand.derivedName(stream)) + "_" + p;
            try {
                SqlIdentifiers.slot(partitionSlot, "--slot");
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(e.getMessage() + " (partition " + p + "'s slot); pass a shorter --slot",
                        e);
            }
            LogicalCapture capture = new LogicalCapture(database, new LogicalSettings(partitionStream(p), qualified,
                    partitionSlot, publicationName, initialSnapshot, statusInterval, heartbeatInterval,
                    Frames.maxPayloadLength(settings.maxFrameLength()), new Partition(column, p, partitions)));
            try {
                capture.install(db);
            } catch (SQLException e) {
                db.close();
                throw new IllegalStateException("installing the logical capture of " + String.join(", ", qualified)
                        + " failed: " + e.getMessage(), e);
            }
            made.add(capture);
            slots.add(partitionSlot);
        }
        db.close();
        return run(slots, "capturing " + qualified + " through slots " + range(slots) + " and publication "
                + publicationName + " (logical capture)", p -> adapt(made.get(p).anew()));
    }

    /**
     * Runs one capture per partition stream on one connector (see {@link PartitionedCaptures}).
     *
     * @param slots     each partition's slot, in partition order; null for captures without one (table capture)
     * @param capturing how the partitions capture, for the ready line ({@code capturing rows of ... (lossless
     *                  table capture)})
     */
    int run(List<String> slots, String capturing, IntFunction<PartitionedCaptures.Capture> captureOf)
            throws Exception {
        List<String> streams = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            streams.add(partitionStream(p));
        }
        // Launchers and users wait for this line, the source's one: every partition captures.
        String ready = "ready: " + partitions + " partitions of stream '" + stream + "' by " + column + " (streams "
                + range(streams) + "), " + capturing;
        PartitionedCaptures captures = new PartitionedCaptures(streams, captureOf, ready);
        log.info("{} partitions by {}: streams {}", partitions, column, streams);
        try (SourceConnector connector = new SourceConnector(settings, SourceConnector.DEFAULT_REPLAY_CAPACITY,
                captures::onAcknowledged);
             AutoCloseable port = admin.enabled() ? startAdmin(streams, slots, captures) : null) {
            return captures.run(connector, stopping, shutdownTimeout);
        }
    }

    /** The admin port over every partition stream, each with its own slot (when it has one). */
    private SourceAdminServer startAdmin(List<String> streams, List<String> slots, PartitionedCaptures captures)
            throws IOException {
        List<SourceAdminServer.Reported> reported = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            reported.add(new SourceAdminServer.Reported(streams.get(p), slots == null ? null : slots.get(p),
                    captures.figures(p)));
        }
        return SourceAdminServer.start(admin.host(), admin.port(), reported,
                slots == null ? null : SlotStatusPoller.connectingTo(database, slots));
    }

    /** {@code a .. z}: the first and last of a partition's names (they differ only in the partition number). */
    private static String range(List<String> names) {
        return names.get(0) + " .. " + names.get(names.size() - 1);
    }

    private static PartitionedCaptures.Capture adapt(LogicalCapture capture) {
        SourceFigures figures = PostgresSourceCommand.figures(capture);
        return new PartitionedCaptures.Capture() {
            @Override
            public void run(SourceConnector connector, long enginePoint, BooleanSupplier stopping,
                            Duration shutdownTimeout, Runnable ready) throws Exception {
                capture.run(connector, enginePoint, stopping, shutdownTimeout, ready);
            }

            @Override
            public void onAcknowledged(String stream, long point) {
                capture.onAcknowledged(stream, point);
            }

            @Override
            public SourceFigures figures() {
                return figures;
            }
        };
    }
}
