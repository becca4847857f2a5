package io.herald.fanout.inbox;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Deletes notifications older than {@code herald.fanout.inbox.retention}, on every node (it is idempotent). */
@Component
class InboxRetention {

    private static final Logger log = LoggerFactory.getLogger(InboxRetention.class);

    private final InboxStore store;
    private final InboxProperties properties;
    private final Clock clock;

    InboxRetention(InboxStore store, InboxProperties properties, Clock clock) {
        this.store = store;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(
            initialDelayString = "${herald.fanout.inbox.retention-check-interval:PT1H}",
            fixedDelayString = "${herald.fanout.inbox.retention-check-interval:PT1H}")
    int purge() {
        int deleted = store.deleteCreatedBefore(clock.instant().minus(properties.retention()));
        if (deleted > 0) {
            log.info("inbox retention deleted {} notifications older than {}", deleted, properties.retention());
        }
        return deleted;
    }
}
