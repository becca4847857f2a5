package io.herald.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.herald.gateway.GatewayProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitsTest {

    /** The time of the test: the buckets refill by it and are forgotten by it. */
    private static final class FakeTicker implements Ticker {
        long nanos = 1_000_000_000L;

        @Override
        public long read() {
            return nanos;
        }

        void advance(Duration by) {
            nanos += by.toNanos();
        }
    }

    private final FakeTicker ticker = new FakeTicker();
    // An app: 2,000 notifications a second, bursts of 4,000; a user: 20 requests a second, bursts of 40.
    private final RateLimits limits = new RateLimits(new GatewayProperties.RateLimits(2000, 4000, 20, 40), ticker);

    @Test
    void aBucketRefillsByTheTickerAndIsForgottenOnceItWouldBeFullAgain() {
        for (int i = 0; i < 40; i++) {
            assertThat(limits.takeForUser("ana")).isEmpty();
        }
        assertThat(limits.takeForUser("ana")).hasValue(Duration.ofMillis(50));

        ticker.advance(Duration.ofMillis(1900));
        assertThat(limits.size()).as("not full yet: kept").isEqualTo(1);
        assertThat(limits.takeForUser("ana")).as("refilled by the ticker").isEmpty();

        ticker.advance(Duration.ofSeconds(5));
        assertThat(limits.size()).as("full again: the same as a new bucket").isZero();
    }

    @Test
    void aBucketInDebtIsKeptUntilTheDebtIsPaidOff() {
        // 24,000 notifications: 4,000 now and 20,000 owed, paid off by the rate in 10 s; full 2 s later.
        assertThat(limits.takeForApp("shop", 24_000, 0)).isEmpty();

        ticker.advance(Duration.ofSeconds(10).minusMillis(1));
        assertThat(limits.takeForApp("shop", 1, 0)).as("still owing").isPresent();
        ticker.advance(Duration.ofSeconds(1));
        assertThat(limits.takeForApp("shop", 1, 0)).isEmpty();

        ticker.advance(Duration.ofSeconds(5));
        assertThat(limits.size()).isZero();
    }

    @Test
    void atMost100000BucketsAreKept() {
        for (int i = 0; i < 100_500; i++) {
            limits.takeForUser("user-" + i);
        }

        assertThat(limits.size()).isEqualTo(100_000);
    }
}
