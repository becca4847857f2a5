package io.herald.gateway.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Event ids this gateway published lately (24 hours, at most 100,000), per app: a retried request with the
 * same Idempotency-Key or event id is answered the same without publishing again. Another gateway instance
 * may publish it a second time; token-service routes an event id once, so no one is notified twice.
 */
@Component
class RecentlyAccepted {

    private static final Duration KEEP = Duration.ofHours(24);
    private static final int MAX = 100_000;

    private final Clock clock;
    private final Map<String, Instant> accepted = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > MAX;
        }
    };

    RecentlyAccepted(Clock clock) {
        this.clock = clock;
    }

    synchronized boolean contains(String app, UUID eventId) {
        Instant at = accepted.get(app + "\n" + eventId);
        return at != null && at.plus(KEEP).isAfter(clock.instant());
    }

    synchronized void add(String app, UUID eventId) {
        accepted.put(app + "\n" + eventId, clock.instant());
    }
}
