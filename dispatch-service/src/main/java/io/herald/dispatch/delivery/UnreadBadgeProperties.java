package io.herald.dispatch.delivery;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a push's {@code badge: "unread"} is resolved, {@code herald.dispatch.unread-badge.*}.
 *
 * @param wsFanoutUrl {@code ws-fanout-url}: ws-fanout-service's internal API, asked for the recipient's unread count
 *     (with {@code herald.internal.secret})
 * @param timeout {@code timeout}: the longest a poll's deliveries wait for their unread counts; a push whose count
 *     has not come by then is sent without a badge
 */
@ConfigurationProperties("herald.dispatch.unread-badge")
public record UnreadBadgeProperties(
        @DefaultValue("http://localhost:8084") URI wsFanoutUrl,
        @DefaultValue("500ms") Duration timeout) {

    public UnreadBadgeProperties {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("herald.dispatch.unread-badge.timeout must be positive");
        }
    }
}
