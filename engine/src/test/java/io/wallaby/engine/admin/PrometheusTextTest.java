package io.wallaby.engine.admin;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading a source's /metrics, as the postgres source's admin port writes it (Micrometer, format 0.0.4). */
class PrometheusTextTest {

    /** The lines of a partitioned postgres source's scrape that the engine reads, among others it skips. */
    static final String SOURCE_SCRAPE = """
            # HELP wallaby_source_lag_seconds Age of the oldest change sent and not yet acknowledged (0: none)
            # TYPE wallaby_source_lag_seconds gauge
            wallaby_source_lag_seconds{slot="wallaby_transactions_0",stream="transactions.0"} 0.25
            wallaby_source_lag_seconds{slot="wallaby_transactions_1",stream="transactions.1"} 0.0
            # TYPE wallaby_source_slot_active gauge
            wallaby_source_slot_active{slot="wallaby_transactions_0",stream="transactions.0"} 1.0
            wallaby_source_slot_active{slot="wallaby_transactions_1",stream="transactions.1"} 0.0
            wallaby_source_slot_lag_bytes{slot="wallaby_transactions_0",stream="transactions.0"} 4096.0
            wallaby_source_slot_lag_bytes{slot="wallaby_transactions_1",stream="transactions.1"} NaN
            wallaby_source_slot_retained_wal_bytes{slot="wallaby_transactions_0",stream="transactions.0"} 1.6777216E7
            wallaby_source_messages_sent_total{slot="wallaby_transactions_0",stream="transactions.0"} 120.0
            jvm_threads_live_threads 23.0
            """;

    @Test
    void samplesKeepTheirNameLabelsAndValue() {
        List<PrometheusText.Sample> samples = PrometheusText.parse(SOURCE_SCRAPE);
        assertEquals(9, samples.size());
        PrometheusText.Sample first = samples.get(0);
        assertEquals("wallaby_source_lag_seconds", first.name());
        assertEquals(Map.of("slot", "wallaby_transactions_0", "stream", "transactions.0"), first.labels());
        assertEquals(0.25, first.value());
        assertTrue(Double.isNaN(samples.get(5).value()));
        assertEquals(new PrometheusText.Sample("jvm_threads_live_threads", Map.of(), 23), samples.get(8));
    }

    @Test
    void labelValuesMayHoldEscapedQuotesCommasAndBracesAndTimestampsAreSkipped() {
        PrometheusText.Sample sample = PrometheusText.parse(
                "m{stream=\"a \\\"b\\\", {c}\",other=\"x\\\\y\"} +Inf 1700000000000\n").get(0);
        assertEquals("a \"b\", {c}", sample.labels().get("stream"));
        assertEquals("x\\y", sample.labels().get("other"));
        assertEquals(Double.POSITIVE_INFINITY, sample.value());
    }

    @Test
    void aPageThatIsNotPrometheusTextIsRefusedNamingTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrometheusText.parse("# fine\nok 1\n<html><body>hello</body></html>\n"));
        assertTrue(e.getMessage().startsWith("line 3 is not a Prometheus sample"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("m{stream=\"open 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("m{stream=bare} 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("m 1.2.3\n"));
    }

    @Test
    void theFiguresOfEachStreamAreGatheredFromItsSamples() {
        List<SourceAdmins.StreamFigures> figures = SourceAdmins.figures(PrometheusText.parse(SOURCE_SCRAPE));
        assertEquals(List.of(
                new SourceAdmins.StreamFigures("transactions.0", "wallaby_transactions_0", 4096.0, 16777216.0, true,
                        0.25),
                new SourceAdmins.StreamFigures("transactions.1", "wallaby_transactions_1", null, null, false, 0.0)),
                figures);
        // A source without a slot (table capture) has only its lag in seconds.
        SourceAdmins.StreamFigures table = SourceAdmins.figures(PrometheusText.parse(
                "wallaby_source_lag_seconds{stream=\"transactions\"} 1.5\n")).get(0);
        assertNull(table.slot());
        assertNull(table.slotLagBytes());
        assertEquals(1.5, table.lagSeconds());
    }
}
