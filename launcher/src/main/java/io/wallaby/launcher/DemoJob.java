package io.wallaby.launcher;

import java.util.List;

/**
 * A job the demo runs, whatever runs it ({@link DemoTopology}: one engine, or a cluster of them): the application
 * and its flags, how many streams it wants on one engine, the rows it inserts and the alerts those must give.
 * {@link StatelessJob} and {@link VelocityJob} are the two.
 */
interface DemoJob {

    /** What {@code launch.sh demo JOB} names the stateful job. */
    String VELOCITY = "velocity";

    /**
     * What alert_log must hold once the pipeline is through with the rows a job inserted.
     *
     * @param alerts  the alerts, in the order the rows were inserted
     * @param inOrder whether alert_log must hold them in that order too (one stream keeps it; several do not)
     * @param by      who says so, for the summary ("SQL over transactions expects")
     * @param streams the source streams that carry rows: each must acknowledge all it saw before alert_log is final
     */
    record Expectation(List<String> alerts, boolean inOrder, String by, List<String> streams) {
        public Expectation {
            alerts = List.copyOf(alerts);
            streams = List.copyOf(streams);
        }
    }

    /** The job {@code launch.sh demo [JOB]} names: none for alert_stateless, {@value #VELOCITY} for velocity_alerts. */
    static DemoJob named(String job) {
        if (job == null) {
            return new StatelessJob();
        }
        if (job.equals(VELOCITY)) {
            return new VelocityJob();
        }
        throw new IllegalArgumentException("unknown job '" + job + "': the demo runs alert_stateless (launch.sh demo) "
                + "or velocity_alerts (launch.sh demo " + VELOCITY + ")");
    }

    /** What the engines run, for a person: the application and its settings. */
    String describe();

    /** The engine's flags that run the application (the same for every engine of a cluster). */
    List<String> engineArgs();

    /**
     * Where a standalone engine keeps the job's checkpoints, relative to the checkout and emptied at each run; null
     * for a job without state. (A cluster keeps them in its Kafka checkpoint topic.)
     */
    String stateDir();

    /** How many streams the source splits {@code transactions} into when one engine runs the job. */
    int streamsAlone();

    /** How the summary names its alerts ("alerts", "velocity alerts"). */
    String alertsName();

    /**
     * Inserts {@code count} transactions (and whatever else the job needs) into {@code transactions}, which the
     * source splits over {@code streams} streams, says what it inserted, and returns what alert_log must then hold.
     */
    Expectation insert(DemoDatabase database, int streams, int count) throws Exception;
}
