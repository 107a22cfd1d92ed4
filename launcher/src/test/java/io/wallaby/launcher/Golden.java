package io.wallaby.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The alerts_stateless generator's first 10,000 transactions and the 1,992 alerts they must produce,
 * copied into this module's test resources from the project's reference material.
 */
final class Golden {

    record Transaction(long id, String amount) {
    }

    private Golden() {
    }

    static List<Transaction> transactions() {
        List<Transaction> transactions = new ArrayList<>();
        for (String line : lines("golden/transactions_10000.csv")) {
            if (line.startsWith("id,")) {
                continue;
            }
            String[] parts = line.split(",");
            transactions.add(new Transaction(Long.parseLong(parts[0]), parts[1]));
        }
        return transactions;
    }

    static List<String> alerts() {
        return lines("golden/alerts_10000.txt");
    }

    /** The golden alerts of the transactions whose id is in [fromId, toId). */
    static List<String> alertsForIds(long fromId, long toId) {
        return alerts().stream().filter(a -> {
            long id = Long.parseLong(a.substring(a.indexOf(" for ") + 5, a.indexOf(':')));
            return id >= fromId && id < toId;
        }).toList();
    }

    private static List<String> lines(String resource) {
        try (InputStream in = Golden.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + resource + " is missing");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
