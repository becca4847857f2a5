package io.herald.fanout.inbox;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Inbox settings.
 *
 * @param pageSizeMax {@code herald.fanout.inbox.page-size-max}: the most notifications one page may hold
 */
@ConfigurationProperties("herald.fanout.inbox")
record InboxProperties(@DefaultValue("100") int pageSizeMax) {

    InboxProperties {
        if (pageSizeMax < 1) {
            throw new IllegalArgumentException("herald.fanout.inbox.page-size-max must be at least 1");
        }
    }
}
