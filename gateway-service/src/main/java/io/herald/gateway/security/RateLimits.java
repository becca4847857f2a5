package io.herald.gateway.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.herald.gateway.GatewayProperties;
import io.herald.gateway.problems.ApiProblem;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The token buckets of {@code herald.gateway.rate-limits.*} (Bucket4j): one per upstream app, whose unit is a
 * notification (an event's recipient), and one per signed-in user, whose unit is a request. They live in this
 * instance's memory, so with N gateway instances behind a load balancer a client gets up to N times the configured
 * rate. A bucket is forgotten once it would be full again, when a new one is the same (a debt is remembered until
 * paid off), or when more than 100,000 are kept (Caffeine's choice of the least useful). Thread-safe.
 */
@Component
public class RateLimits {

    private static final int MAX_BUCKETS = 100_000;

    /** A bucket, and how many tokens it holds when full. */
    private record Limited(Bucket bucket, long capacity) {

        /** How long until the bucket is full again. */
        Duration untilFull() {
            return Duration.ofNanos(bucket.estimateAbilityToConsume(capacity).getNanosToWaitForRefill());
        }
    }

    private final GatewayProperties.RateLimits limits;
    private final TimeMeter time;
    /** The buckets by app or user; each kept until it would be full again (re-reckoned at each take). */
    private final Cache<String, Limited> buckets;

    @Autowired
    RateLimits(GatewayProperties properties) {
        this(properties.rateLimits(), Ticker.systemTicker());
    }

    /** With {@code ticker} as the time the buckets refill and expire by (a test's fake one). */
    RateLimits(GatewayProperties.RateLimits limits, Ticker ticker) {
        this.limits = limits;
        this.time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return ticker.read();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        this.buckets = Caffeine.newBuilder()
                .maximumSize(MAX_BUCKETS)
                .expireAfter(Expiry.writing((String key, Limited limited) -> limited.untilFull()))
                .ticker(ticker)
                .build();
    }

    /**
     * Takes {@code notifications} from the app's bucket, of which {@code paid} were already taken (by the filter,
     * for the request). More than the bucket's burst are taken only from a full bucket, which then owes the rest:
     * the app's next requests wait until its rate has paid for them.
     *
     * @return empty when taken; otherwise how long to wait before asking again (nothing is taken then)
     */
    public Optional<Duration> takeForApp(String app, long notifications, long paid) {
        return take("app:" + app, limits.perApiKeyPerSecond(), limits.perApiKeyBurst(), notifications, paid);
    }

    /** Takes one request from the user's bucket; empty when taken, otherwise how long to wait. */
    Optional<Duration> takeForUser(String user) {
        return take("user:" + user, limits.perUserPerSecond(), limits.perUserBurst(), 1, 0);
    }

    /** The 429 answer: {@code Retry-After} in whole seconds, at least 1. */
    public static ApiProblem tooMany(String whose, Duration wait) {
        long seconds = retryAfterSeconds(wait);
        return new ApiProblem(
                HttpStatus.TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                "the rate limit of this " + whose + " is exceeded; retry after " + seconds + " s",
                Duration.ofSeconds(seconds));
    }

    /** {@code Retry-After} for a wait: whole seconds, rounded up, at least 1. */
    public static long retryAfterSeconds(Duration wait) {
        return Math.max(1, wait.toSeconds() + 1);
    }

    private Optional<Duration> take(String key, int perSecond, int burst, long tokens, long paid) {
        // At most a full bucket's worth now; whatever is beyond the burst becomes debt.
        long now = Math.min(tokens, burst) - paid;
        long owed = tokens - Math.max(Math.min(tokens, burst), paid);
        if (now <= 0 && owed <= 0) {
            return Optional.empty();
        }
        var wait = new AtomicReference<Optional<Duration>>(Optional.empty());
        // In compute, so that the bucket's expiry is reckoned after the take (a write), atomically with it.
        buckets.asMap().compute(key, (k, held) -> {
            Limited limited = held != null ? held : new Limited(newBucket(perSecond, burst), burst);
            wait.set(take(limited.bucket(), now, owed));
            return limited;
        });
        return Objects.requireNonNull(wait.get());
    }

    private static Optional<Duration> take(Bucket bucket, long now, long owed) {
        if (now > 0) {
            ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(now);
            if (!probe.isConsumed()) {
                return Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
            }
        }
        if (owed > 0) {
            bucket.consumeIgnoringRateLimits(owed);
        }
        return Optional.empty();
    }

    private Bucket newBucket(int perSecond, int burst) {
        return Bucket.builder()
                .withCustomTimePrecision(time)
                .addLimit(Bandwidth.builder()
                        .capacity(burst)
                        .refillGreedy(perSecond, Duration.ofSeconds(1))
                        .build())
                .build();
    }

    /** How many buckets are kept, once pending evictions are done (Caffeine evicts in the background). For tests. */
    long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }
}
