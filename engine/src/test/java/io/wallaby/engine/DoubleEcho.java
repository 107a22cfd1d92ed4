package io.wallaby.engine;

import io.wallaby.api.Application;
import io.wallaby.api.DecodeException;
import io.wallaby.api.Pipeline;
import io.wallaby.api.Settings;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A test application loaded by class name: each text payload gives two outputs, "text#0" and
 * "text#1". The payload "boom" makes the computation throw; "bad" is rejected by the decoder.
 */
public final class DoubleEcho implements Application {

    @Override
    public Pipeline pipeline(Settings settings) {
        return Pipeline.source("lines", DoubleEcho::decode)
                .then((String line, Consumer<String> out) -> {
                    if (line.equals("boom")) {
                        throw new IllegalStateException("boom");
                    }
                    out.accept(line + "#0");
                    out.accept(line + "#1");
                })
                .sink("echo", (String line) -> line.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(byte[] payload) throws DecodeException {
        String text = new String(payload, StandardCharsets.UTF_8);
        if (text.equals("bad")) {
            throw new DecodeException("\"bad\" is not a line this application accepts");
        }
        return text;
    }
}
