package io.wallaby.apps;

import io.wallaby.api.DecodeException;
import io.wallaby.api.Pipeline;
import io.wallaby.api.Settings;
import io.wallaby.apps.Transaction.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** alert_stateless on the change envelope of the logical-decoding capture. */
class ChangeEnvelopeTest {

    private static final String SOURCE = "\"source\":{\"commit_lsn\":\"0/1A2B3C4\",\"txid\":735,"
            + "\"commit_time\":\"2026-12-01T18:00:00.123456+00:00\",\"position\":0}";
    private static final String SOURCE_FIRST = "{" + SOURCE + ",\"after\":{\"id\":1,\"amount\":1500.50},\"op\":\"c\"}";
    private static final String ROW = "{\"id\":1,\"amount\":1500.50,\"created_at\":\"2026-12-01T18:00:00.123456+00:00\"}";

    private final Pipeline pipeline = new AlertStateless().pipeline(Settings.none());
    private final TransactionDecoder decoder = new TransactionDecoder();

    private List<String> alerts(String json) throws DecodeException {
        return pipeline.apply(bytes(json)).stream()
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                .toList();
    }

    private Transaction decode(String json) throws DecodeException {
        return decoder.decode(bytes(json));
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static String envelope(String op, String before, String after) {
        return "{\"op\":\"" + op + "\",\"table\":\"public.transactions\",\"before\":" + before + ",\"after\":" + after
                + "," + SOURCE + "}";
    }

    /** The transaction without the fields only velocity_alerts reads (account, created_at). */
    private static Transaction movement(Transaction transaction) {
        return new Transaction(transaction.operation(), transaction.id(), transaction.amount());
    }

    @Test
    void anInsertAlertsOnItsNewRow() throws DecodeException {
        String insert = envelope("c", "null", ROW);
        assertEquals(List.of("Deposit Alert for 1: 1500.5"), alerts(insert));
        assertEquals(new Transaction(Operation.INSERT, "1", new BigDecimal("1500.50")), movement(decode(insert)));
    }

    @Test
    void aSnapshotRowAlertsLikeAnInsert() throws DecodeException {
        String snapshot = envelope("r", "null", "{\"id\":\"acc-7\",\"amount\":-2500.00,\"created_at\":\"2026-01-01T00:00:00+00:00\"}");
        assertEquals(List.of("Withdrawal Alert for acc-7: -2500"), alerts(snapshot));
        assertEquals(Operation.SNAPSHOT, decode(snapshot).operation());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // an update with the whole old row (REPLICA IDENTITY FULL), with its key only, with none
            "{\"op\":\"u\",\"before\":{\"id\":1,\"amount\":10.00},\"after\":{\"id\":1,\"amount\":5000.00}}",
            "{\"op\":\"u\",\"before\":{\"id\":1},\"after\":{\"id\":1,\"amount\":5000.00}}",
            "{\"op\":\"u\",\"after\":{\"id\":1,\"amount\":5000.00}}",
            // an updated row is not read: its content cannot make it bad input
            "{\"op\":\"u\",\"before\":null,\"after\":{\"id\":null,\"amount\":\"lots\"}}",
            "{\"op\":\"u\",\"after\":{\"id\":1,\"created_at\":\"2026-12-01T18:00:00+00:00\"},\"unchanged\":[\"amount\"]}",
    })
    void anUpdateGivesNoOutputAndIsNotBadInput(String update) throws DecodeException {
        assertEquals(List.of(), alerts(update));
        assertSame(Transaction.without(Operation.UPDATE), decode(update));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"op\":\"d\",\"table\":\"public.transactions\",\"before\":{\"id\":1},\"after\":null}",
            "{\"op\":\"d\",\"before\":{\"id\":1,\"amount\":5000.00,\"created_at\":\"2026-12-01T18:00:00+00:00\"}}",
            "{\"op\":\"d\",\"before\":null}",
            "{\"op\":\"d\"}",
    })
    void aDeleteGivesNoOutputAndIsNotBadInput(String delete) throws DecodeException {
        assertEquals(List.of(), alerts(delete));
        assertSame(Transaction.without(Operation.DELETE), decode(delete));
    }

    @Test
    void aTruncateGivesNoOutputAndIsNotBadInput() throws DecodeException {
        String truncate = "{\"op\":\"t\",\"table\":\"public.transactions\",\"before\":null,\"after\":null," + SOURCE + "}";
        assertEquals(List.of(), alerts(truncate));
        assertSame(Transaction.without(Operation.TRUNCATE), decode(truncate));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"after\":{\"id\":1,\"amount\":1500.50},\"op\":\"c\"}",
            SOURCE_FIRST,
            "{\"table\":\"public.transactions\",\"op\":\"c\",\"before\":null,\"after\":{\"amount\":1500.50,\"id\":1}}",
            "{\"op\":\"c\",\"after\":{\"created_at\":\"x\",\"amount\":1500.50,\"note\":{\"id\":9,\"amount\":1},\"id\":1}}",
            "{\"op\":\"c\",\"after\":{\"id\":1,\"amount\":1500.50},\"unchanged\":[\"note\"],\"before\":null}",
            "{\"op\":\"c\",\"after\":{\"id\":1,\"amount\":1500.50,\"tags\":[\"op\",{\"op\":\"d\"}],\"doc\":{\"after\":null}}}",
            " { \"op\" : \"c\" ,\n \"after\" : { \"id\" : 1 , \"amount\" : 1500.50 } } ",
            "{\"op\":\"\\u0063\",\"after\":{\"id\":1,\"amount\":1500.50}}",
            "{\"op\":\"c\",\"after\":{\"id\":0,\"amount\":1},\"after\":{\"id\":1,\"amount\":1500.50}}",
            "{\"op\":\"c\",\"after\":null,\"after\":{\"id\":1,\"amount\":1500.50}}",
    })
    void fieldOrderAndOtherFieldsDoNotMatter(String insert) throws DecodeException {
        assertEquals(new Transaction(Operation.INSERT, "1", new BigDecimal("1500.50")), movement(decode(insert)));
        assertEquals(List.of("Deposit Alert for 1: 1500.5"), alerts(insert));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"id\":1,\"amount\":5000,\"op\":\"x\"}",
            "{\"op\":\"d\",\"id\":1,\"amount\":5000}",
            "{\"op\":null,\"amount\":5000,\"id\":1}",
    })
    void aTableRowWithAColumnNamedOpStaysARow(String row) throws DecodeException {
        assertEquals(List.of("Deposit Alert for 1: 5000"), alerts(row));
        assertEquals(Operation.INSERT, decode(row).operation());
    }

    @Test
    void theUsualEnvelopesAreReadWithoutATree() {
        for (String usual : List.of(
                envelope("c", "null", ROW),
                envelope("r", "null", ROW),
                envelope("u", "{\"id\":1}", ROW),
                "{\"op\":\"u\",\"after\":{\"id\":1},\"unchanged\":[\"amount\"]}",
                envelope("d", "{\"id\":1}", "null"),
                "{\"op\":\"t\",\"table\":\"public.transactions\"," + SOURCE + "}",
                "{\"op\":\"c\",\"after\":" + ROW + ",\"unchanged\":[\"note\"]}")) {
            assertNotNull(TransactionDecoder.readStreaming(bytes(usual)), usual);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1500.50                  | 1500.50                  | 1500.5",
            "1072.00                  | 1072.00                  | 1072",
            "12345678901234567.89     | 12345678901234567.89     | 12345678901234567.89",
            "1000.000000000000000001  | 1000.000000000000000001  | 1000.000000000000000001",
            "\"99999999999999999999.99\" | 99999999999999999999.99 | 99999999999999999999.99",
            "1.0E+4                   | 1.0E+4                   | 10000",
    })
    void amountsKeepPostgresDigits(String json, String exact, String printed) throws DecodeException {
        String insert = envelope("c", "null", "{\"id\":5,\"amount\":" + json + "}");
        BigDecimal amount = new BigDecimal(exact);
        // equals, not compareTo: the scale is kept too, on both readers
        assertEquals(amount, TransactionDecoder.readStreaming(bytes(insert)).amount());
        assertEquals(amount, TransactionDecoder.readTree(bytes(insert)).amount());
        assertEquals(List.of("Deposit Alert for 5: " + printed), alerts(insert));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"op\":\"x\",\"after\":{\"id\":1,\"amount\":5000}}  | change envelope: unknown \"op\" \"x\", expected \"c\" (insert), \"r\" (snapshot read), \"u\" (update), \"d\" (delete) or \"t\" (truncate)",
            "{\"op\":\"C\",\"after\":{\"id\":1,\"amount\":5000}}  | unknown \"op\" \"C\", expected",
            "{\"op\":\"cu\"}                                      | unknown \"op\" \"cu\", expected",
            "{\"op\":\"\"}                                        | unknown \"op\" \"\", expected",
            "{\"op\":null}                                        | unknown \"op\" null, expected",
            "{\"op\":1,\"after\":{}}                              | unknown \"op\" 1, expected",
            "{\"op\":\"c\"}                                       | change envelope: \"op\" \"c\" (insert) needs \"after\", the new row as a JSON object, got nothing",
            "{\"op\":\"c\",\"after\":null}                        | \"op\" \"c\" (insert) needs \"after\", the new row as a JSON object, got null",
            "{\"op\":\"r\",\"after\":[1]}                         | \"op\" \"r\" (snapshot read) needs \"after\", the new row as a JSON object, got array",
            "{\"op\":\"u\",\"after\":\"{}\"}                      | \"op\" \"u\" (update) needs \"after\", the new row as a JSON object, got string",
            "{\"op\":\"u\",\"before\":{\"id\":1}}                 | \"op\" \"u\" (update) needs \"after\"",
            "{\"op\":\"c\",\"after\":{\"amount\":5000}}           | change envelope \"after\": missing \"id\"",
            "{\"op\":\"c\",\"after\":{\"id\":1,\"amount\":null}}  | change envelope \"after\": missing \"amount\"",
            "{\"op\":\"c\",\"after\":{\"id\":1.5,\"amount\":1}}   | change envelope \"after\": \"id\" must be an integer or a non-blank string, got 1.5",
            "{\"op\":\"r\",\"after\":{\"id\":1,\"amount\":\"NaN\"}} | change envelope \"after\": \"amount\" is not a decimal number: \"NaN\"",
            "{\"op\":\"c\",\"after\":{\"id\":1,\"amount\":\"Infinity\"}} | \"amount\" is not a decimal number: \"Infinity\"",
            "{\"op\":\"c\",\"after\":{\"id\":1,\"amount\":[1]}}   | change envelope \"after\": \"amount\" must be a number or a numeric string, got [1]",
            "{\"op\":\"c\",\"after\":{\"id\":1},\"unchanged\":[\"amount\"]} | change envelope \"after\": missing \"amount\": PostgreSQL left it out as an unchanged TOASTed value (see \"unchanged\"), but a new row must carry it",
            "{\"op\":\"c\",\"after\":{\"id\":1,\"amount\":5000}} {} | not valid JSON",
            "{\"op\":\"c\",\"after\":{\"id\":1,\"amount\":5000}    | not valid JSON",
    })
    void malformedEnvelopesAreBadInputWithAReason(String json, String reason) {
        DecodeException rejected = assertThrows(DecodeException.class, () -> alerts(json));
        assertTrue(rejected.getMessage().contains(reason), rejected.getMessage());
    }
}
