package io.herald.fanout.inbox;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Inbox settings.
 *
 * @param pageSizeMax {@code herald.fanout.inbox.page-size-max}: the most notifications one page may hold
 * @param retention {@code herald.fanout.inbox.retention}: notifications older than this are deleted
 * @param retentionCheckInterval {@code herald.fanout.inbox.retention-check-interval}: how often to delete them
 * @param maxRowsByEvent {@code herald.fanout.inbox.max-rows-by-event}: the most rows one {@code GET
 *     /internal/v1/inbox/by-event} answers (the newest; {@code "truncated": true} when there are more)
 */
@ConfigurationProperties("herald.fanout.inbox")
record InboxProperties(
        @DefaultValue("100") int pageSizeMax,
        @DefaultValue("90d") Duration retention,
        @DefaultValue("1h") Duration retentionCheckInterval,
        @DefaultValue("10000") int maxRowsByEvent) {

    InboxProperties {
        if (pageSizeMax < 1) {
            throw new IllegalArgumentException("herald.fanout.inbox.page-size-max must be at least 1");
        }
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("herald.fanout.inbox.retention must be positive");
        }
        if (maxRowsByEvent < 1) {
            throw new IllegalArgumentException("herald.fanout.inbox.max-rows-by-event must be at least 1");
        }
        if (retentionCheckInterval.isNegative() || retentionCheckInterval.isZero()) {
            throw new IllegalArgumentException("herald.fanout.inbox.retention-check-interval must be positive");
        }
    }
}
