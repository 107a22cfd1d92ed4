package io.wallaby.engine;

import io.netty.handler.ssl.SslContext;
import io.wallaby.engine.connection.Connectors;
import io.wallaby.engine.connection.ErrorReplyHandler;
import io.wallaby.engine.guard.LimitHits;
import io.wallaby.engine.source.DeadLetterFile;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.StreamRegistry;

/**
 * What the connections of both ports share: configuration, streams, figures, the engine's phase,
 * and the handlers that are one per engine.
 *
 * @param ssl         TLS for both protocol ports, or null for plain TCP
 * @param deadLetters where messages the application cannot handle are written before they are acknowledged
 */
public record EngineContext(EngineConfig config, StreamRegistry registry, EngineCounters counters,
                            Lifecycle lifecycle, Connectors connectors, LimitHits limitHits,
                            ErrorReplyHandler errorReplies, SslContext ssl,
                            DeadLetterFile deadLetters) {
}
