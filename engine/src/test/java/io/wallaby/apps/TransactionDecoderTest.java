package io.wallaby.apps;

import io.wallaby.api.DecodeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decoder's streaming reader must agree with its tree reader on the payloads that stray from the usual shape. */
class TransactionDecoderTest {

    private final TransactionDecoder decoder = new TransactionDecoder();

    private Transaction decode(String json) throws DecodeException {
        return decoder.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"id\":7,\"amount\":1500.50}                          | 7                    | 1500.50",
            "{\"id\":-0,\"amount\":1}                               | 0                    | 1",
            "{\"id\":-42,\"amount\":-0.0}                           | -42                  | 0.0",
            "{\"id\":123456789012345678901234,\"amount\":1}         | 123456789012345678901234 | 1",
            "{\"id\":1,\"id\":2,\"amount\":3}                        | 2                    | 3",
            "{\"id\":null,\"id\":\"x\",\"amount\":3}                 | x                    | 3",
            "{\"amount\":\"oops\",\"amount\":\" 2.50 \",\"id\":1}    | 1                    | 2.50",
            "{\"x\":{\"id\":9,\"y\":[1,{}]},\"id\":1,\"amount\":1e2} | 1                    | 1E+2",
            "  {\"id\":\"a b\",\"amount\":10}                        | a b                  | 10",
    })
    void readsWhatTheTreeReads(String json, String id, String amount) throws DecodeException {
        Transaction transaction = decode(json);
        assertEquals(id, transaction.id());
        assertEquals(new BigDecimal(amount), transaction.amount()); // equals: scale included
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[1,2]                                 | expected a JSON object with \"id\" and \"amount\", got array",
            "''                                    | got nothing",
            "{\"id\":1,\"amount\":1,\"id\":null}   | missing \"id\"",
            "{\"id\":1,\"amount\":2,\"amount\":{}} | \"amount\" must be a number or a numeric string",
            "{\"id\":[1],\"amount\":2}             | \"id\" must be an integer or a non-blank string, got [1]",
            "{\"id\":1,\"amount\":2                | not valid JSON",
            "{\"id\":1,\"amount\":2}]              | not valid JSON",
    })
    void rejectsWithTheTreeReadersReason(String json, String reason) {
        DecodeException rejected = assertThrows(DecodeException.class, () -> decode(json));
        assertTrue(rejected.getMessage().contains(reason), rejected.getMessage());
    }
}
