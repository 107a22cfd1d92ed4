package io.wallaby.source.generator;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class AlertsStatelessGeneratorTest {

    @Test
    void matchesTheGoldenFirstTenThousand() throws Exception {
        List<String> golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/transactions_10000.csv")) {
            assertNotNull(in, "golden/transactions_10000.csv is a test resource");
            golden = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
        }
        assertEquals("id,amount", golden.get(0));
        assertEquals(10_001, golden.size());
        AlertsStatelessGenerator generator = new AlertsStatelessGenerator();
        for (int i = 1; i <= 10_000; i++) {
            AlertsStatelessGenerator.Transaction t = generator.next();
            assertEquals(golden.get(i), t.id() + "," + t.amount(), "line " + i);
        }
    }

    @Test
    void startsAnywhereInTheSequence() {
        assertEquals(new AlertsStatelessGenerator.Transaction(3, 1072), AlertsStatelessGenerator.startingAt(3).next());
        assertEquals("{\"id\":1,\"amount\":208}", AlertsStatelessGenerator.startingAt(1).next().toJson());
    }
}
