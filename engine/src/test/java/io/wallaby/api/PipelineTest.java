package io.wallaby.api;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PipelineTest {

    /** Words of a line, their lengths, kept when even: each step may give zero, one or more outputs. */
    private final Pipeline pipeline = Pipeline.source("lines", payload -> new String(payload, StandardCharsets.UTF_8))
            .then((String line, Consumer<String> words) -> List.of(line.split(" ")).forEach(words))
            .then((String word, Consumer<Integer> lengths) -> {
                if (word.length() % 2 == 0) {
                    lengths.accept(word.length());
                }
            })
            .sink("even_lengths", (Integer length) -> length.toString().getBytes(StandardCharsets.UTF_8));

    @Test
    void stepsRunInOrderAndOutputsKeepTheirOrder() throws DecodeException {
        List<String> outputs = pipeline.apply("four letters in each word".getBytes(StandardCharsets.UTF_8)).stream()
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                .toList();
        assertEquals(List.of("4", "2", "4", "4"), outputs);
    }

    @Test
    void eachSourceStreamHasItsOwnSinkStream() {
        assertEquals("even_lengths/novels", pipeline.sinkStreamName("novels"));
        assertEquals("lines", pipeline.sourceName());
    }
}
