package io.herald.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecentlyAcceptedTest {

    /** A clock the test moves. */
    private static final class FakeTicker implements Ticker {
        long nanos;

        @Override
        public long read() {
            return nanos;
        }

        void advance(Duration by) {
            nanos += by.toNanos();
        }
    }

    private final FakeTicker ticker = new FakeTicker();
    private final RecentlyAccepted recent = new RecentlyAccepted(ticker);
    private final byte[] fingerprint = "fingerprint-a".getBytes(StandardCharsets.UTF_8);
    private final byte[] other = "fingerprint-b".getBytes(StandardCharsets.UTF_8);

    @Test
    void anEventIdIsKnownPerAppWithItsFingerprint() {
        UUID id = UUID.randomUUID();
        assertThat(recent.check("shop", id, fingerprint)).isEqualTo(RecentlyAccepted.Seen.NEW);

        recent.add("shop", id, fingerprint);

        assertThat(recent.check("shop", id, fingerprint)).isEqualTo(RecentlyAccepted.Seen.SAME);
        assertThat(recent.check("shop", id, other)).isEqualTo(RecentlyAccepted.Seen.CONFLICT);
        assertThat(recent.check("blog", id, other)).isEqualTo(RecentlyAccepted.Seen.NEW);
    }

    @Test
    void anEventIdIsForgotten24HoursAfterItWasPublished() {
        UUID id = UUID.randomUUID();
        recent.add("shop", id, fingerprint);

        ticker.advance(Duration.ofHours(24).minusSeconds(1));
        assertThat(recent.check("shop", id, other)).isEqualTo(RecentlyAccepted.Seen.CONFLICT);
        ticker.advance(Duration.ofSeconds(1));
        assertThat(recent.check("shop", id, other)).isEqualTo(RecentlyAccepted.Seen.NEW);
    }

    @Test
    void atMost100000EventIdsAreKept() {
        for (int i = 0; i < 100_500; i++) {
            recent.add("shop", UUID.randomUUID(), fingerprint);
        }

        assertThat(recent.size()).isEqualTo(100_000);
    }
}
