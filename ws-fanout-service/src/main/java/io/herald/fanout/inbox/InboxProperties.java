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
 */
@ConfigurationProperties("herald.fanout.inbox")
record InboxProperties(
        @DefaultValue("100") int pageSizeMax,
        @DefaultValue("90d") Duration retention,
        @DefaultValue("1h") Duration retentionCheckInterval) {

    InboxProperties {
        if (pageSizeMax < 1) {
            throw new IllegalArgumentException("herald.fanout.inbox.page-size-max must be at least 1");
        }
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("herald.fanout.inbox.retention must be positive");
        }
        if (retentionCheckInterval.isNegative() || retentionCheckInterval.isZero()) {
            throw new IllegalArgumentException("herald.fanout.inbox.retention-check-interval must be positive");
        }
    }
}
