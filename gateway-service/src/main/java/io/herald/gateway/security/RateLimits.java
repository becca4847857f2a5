package io.herald.gateway.security;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.herald.gateway.GatewayProperties;
import io.herald.gateway.problems.ApiProblem;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The token buckets of {@code herald.gateway.rate-limits.*} (Bucket4j): one per upstream app, whose unit is a
 * notification (an event's recipient), and one per signed-in user, whose unit is a request. They live in this
 * instance's memory (at most 100,000, least recently used dropped), so with N gateway instances behind a load
 * balancer a client gets up to N times the configured rate. Thread-safe.
 */
@Component
public class RateLimits {

    private static final int MAX_BUCKETS = 100_000;

    private final GatewayProperties.RateLimits limits;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_BUCKETS;
        }
    };

    RateLimits(GatewayProperties properties) {
        this.limits = properties.rateLimits();
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
        Bucket bucket = bucket(key, perSecond, burst);
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

    private Bucket bucket(String key, int perSecond, int burst) {
        synchronized (buckets) {
            return buckets.computeIfAbsent(
                    key,
                    k -> Bucket.builder()
                            .addLimit(Bandwidth.builder()
                                    .capacity(burst)
                                    .refillGreedy(perSecond, Duration.ofSeconds(1))
                                    .build())
                            .build());
        }
    }
}
