package io.wallaby.apps;

import io.wallaby.api.DecodeException;
import io.wallaby.api.Pipeline;
import io.wallaby.api.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertStatelessTest {

    private final Pipeline pipeline = new AlertStateless().pipeline(Settings.none());

    private List<String> alerts(String json) throws DecodeException {
        return pipeline.apply(json.getBytes(StandardCharsets.UTF_8)).stream()
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void tenThousandTransactionsGiveTheGoldenAlertsInOrder() throws Exception {
        List<String> produced = new ArrayList<>();
        try (BufferedReader csv = resource("/golden/transactions_10000.csv")) {
            assertEquals("id,amount", csv.readLine());
            String line;
            while ((line = csv.readLine()) != null) {
                String[] columns = line.split(",");
                produced.addAll(alerts("{\"id\":" + columns[0] + ",\"amount\":" + columns[1] + "}"));
            }
        }
        List<String> golden;
        try (BufferedReader expected = resource("/golden/alerts_10000.txt")) {
            golden = expected.lines().toList();
        }
        assertEquals(1992, golden.size());
        assertEquals(golden, produced);
    }

    private static BufferedReader resource(String path) {
        InputStream in = AlertStatelessTest.class.getResourceAsStream(path);
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"id\":1,\"amount\":1500.50}        | Deposit Alert for 1: 1500.5",
            "{\"id\":3,\"amount\":1072.00}        | Deposit Alert for 3: 1072",
            "{\"id\":\"acc-7\",\"amount\":\"-2500\"} | Withdrawal Alert for acc-7: -2500",
            "{\"id\":2,\"amount\":\" 1000.01 \"}   | Deposit Alert for 2: 1000.01",
            "{\"id\":9,\"amount\":1E+4}           | Deposit Alert for 9: 10000",
            "{\"id\":12345678901234567890,\"amount\":-1000.000001} | Withdrawal Alert for 12345678901234567890: -1000.000001",
            "{\"id\":4,\"amount\":99999999999999999999.99} | Deposit Alert for 4: 99999999999999999999.99",
    })
    void largeAmountsRaiseAlerts(String json, String alert) throws DecodeException {
        assertEquals(List.of(alert), alerts(json));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"id\":1,\"amount\":1000}",
            "{\"id\":1,\"amount\":-1000.00}",
            "{\"id\":1,\"amount\":\"0\",\"note\":\"extra fields are ignored\"}",
    })
    void amountsWithinTheLimitsRaiseNothing(String json) throws DecodeException {
        assertEquals(List.of(), alerts(json));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json                        | not valid JSON",
            "[1,2]                           | expected a JSON object",
            "{\"amount\":5000}               | missing \"id\"",
            "{\"id\":1}                      | missing \"amount\"",
            "{\"id\":1.5,\"amount\":5000}    | \"id\" must be an integer or a non-blank string",
            "{\"id\":\" \",\"amount\":5000}  | \"id\" must be an integer or a non-blank string",
            "{\"id\":1,\"amount\":\"lots\"}  | \"amount\" is not a decimal number",
            "{\"id\":1,\"amount\":true}      | \"amount\" must be a number or a numeric string",
            "{\"id\":1,\"amount\":5000} {}   | not valid JSON",
    })
    void badInputsAreRejectedWithAReason(String json, String reason) {
        DecodeException rejected = assertThrows(DecodeException.class, () -> alerts(json));
        assertTrue(rejected.getMessage().contains(reason), rejected.getMessage());
    }
}
