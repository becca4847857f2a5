package io.herald.token.log;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * A user's notification history, {@code herald.token.history.*} ({@code GET /v1/users/{userId}/notifications}).
 *
 * @param defaultLimit {@code default-limit}: notifications a page holds when the client sends no {@code limit}
 * @param maxLimit {@code max-limit}: the largest {@code limit} a client may ask for; a larger one is answered 400
 */
@ConfigurationProperties("herald.token.history")
record HistoryProperties(
        @DefaultValue("20") int defaultLimit,
        @DefaultValue("100") int maxLimit) {

    HistoryProperties {
        if (maxLimit < 1 || maxLimit > 1000) {
            throw new IllegalArgumentException("herald.token.history.max-limit must be between 1 and 1000");
        }
        if (defaultLimit < 1 || defaultLimit > maxLimit) {
            throw new IllegalArgumentException(
                    "herald.token.history.default-limit must be between 1 and herald.token.history.max-limit");
        }
    }
}
