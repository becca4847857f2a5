package io.herald.gateway.events;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Event ids this gateway published lately (24 hours, at most 100,000), per app, each with its {@link
 * EventFingerprint}: a retried request with the same Idempotency-Key or event id is answered the same without
 * publishing again, and one that says something else under that id is told so ({@link Seen#CONFLICT}) instead
 * of being dropped. Another gateway instance may publish a retry a second time; token-service routes an event id
 * once, so no one is notified twice; a conflict is noticed only by the instance that published the first event.
 */
@Component
class RecentlyAccepted {

    private static final Duration KEEP = Duration.ofHours(24);
    private static final int MAX = 100_000;

    /** What an app's event id was used for lately. */
    enum Seen {
        /** Not used lately: publish. */
        NEW,
        /** Used for the same event: a retry, answered without publishing again. */
        SAME,
        /** Used for a different event: refused. */
        CONFLICT
    }

    @SuppressWarnings("ArrayRecordComponent") // never compared or hashed as a whole
    private record Accepted(Instant at, byte[] fingerprint) {}

    private final Clock clock;
    private final Map<String, Accepted> accepted = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Accepted> eldest) {
            return size() > MAX;
        }
    };

    RecentlyAccepted(Clock clock) {
        this.clock = clock;
    }

    synchronized Seen check(String app, UUID eventId, byte[] fingerprint) {
        Accepted entry = accepted.get(app + "\n" + eventId);
        if (entry == null || !entry.at().plus(KEEP).isAfter(clock.instant())) {
            return Seen.NEW;
        }
        return MessageDigest.isEqual(entry.fingerprint(), fingerprint) ? Seen.SAME : Seen.CONFLICT;
    }

    synchronized void add(String app, UUID eventId, byte[] fingerprint) {
        accepted.put(app + "\n" + eventId, new Accepted(clock.instant(), fingerprint));
    }
}
