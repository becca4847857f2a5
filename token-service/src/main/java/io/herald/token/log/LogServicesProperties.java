package io.herald.token.log;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the delivery log and the history read what token-service does not keep, {@code herald.token.log.*}.
 *
 * @param dispatchUrl {@code dispatch-url}: the base URL of dispatch-service's HTTP port (its {@code server.port}),
 *     whose {@code GET /internal/v1/deliveries} gives the push outcomes
 * @param wsFanoutUrl {@code ws-fanout-url}: the base URL of ws-fanout-service's internal HTTP port (its {@code
 *     server.port}, not the WebSocket's), whose inbox API gives the in-app notifications
 * @param timeout {@code timeout}: how long a read of the log or the history waits for both; past it the request is
 *     answered 503 naming the service that did not answer
 */
@ConfigurationProperties("herald.token.log")
record LogServicesProperties(
        @DefaultValue("http://localhost:8082") URI dispatchUrl,
        @DefaultValue("http://localhost:8084") URI wsFanoutUrl,
        @DefaultValue("2s") Duration timeout) {

    LogServicesProperties {
        if (!timeout.isPositive()) {
            throw new IllegalArgumentException("herald.token.log.timeout must be positive");
        }
        for (URI url : new URI[] {dispatchUrl, wsFanoutUrl}) {
            if ((!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException(
                        "herald.token.log.dispatch-url and ws-fanout-url must be http(s) URLs with a host: " + url);
            }
        }
    }
}
