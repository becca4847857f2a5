package io.herald.gateway.events;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
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

    /** Each app's event ids with their fingerprints (Caffeine: at most {@code MAX}, each {@code KEEP}). */
    private final Cache<String, byte[]> accepted;

    @Autowired
    RecentlyAccepted() {
        this(Ticker.systemTicker());
    }

    /** With {@code ticker} as the time entries expire by (a test's fake one). */
    RecentlyAccepted(Ticker ticker) {
        this.accepted = Caffeine.newBuilder()
                .maximumSize(MAX)
                .expireAfterWrite(KEEP)
                .ticker(ticker)
                .build();
    }

    Seen check(String app, UUID eventId, byte[] fingerprint) {
        byte[] earlier = accepted.getIfPresent(key(app, eventId));
        if (earlier == null) {
            return Seen.NEW;
        }
        return MessageDigest.isEqual(earlier, fingerprint) ? Seen.SAME : Seen.CONFLICT;
    }

    void add(String app, UUID eventId, byte[] fingerprint) {
        accepted.put(key(app, eventId), fingerprint);
    }

    /** How many event ids are kept, once pending evictions are done (Caffeine evicts in the background). For tests. */
    long size() {
        accepted.cleanUp();
        return accepted.estimatedSize();
    }

    private static String key(String app, UUID eventId) {
        return app + "\n" + eventId;
    }
}
