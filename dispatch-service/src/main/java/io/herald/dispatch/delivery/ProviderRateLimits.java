package io.herald.dispatch.delivery;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.herald.events.Provider;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.stereotype.Component;

/**
 * Per-provider send rates, so a burst is smoothed before it reaches the provider instead of being answered with
 * 429s: a sender waits for a token from its provider's bucket (Bucket4j, refilled evenly, a one-second burst).
 * Per dispatch instance: with N instances, divide the provider's quota by N.
 */
@Component
public class ProviderRateLimits {

    /**
     * Sends per second, {@code herald.dispatch.rate-limits.*}.
     *
     * @param fcm {@code fcm}: FCM's default project quota is 600,000 a minute
     * @param expo {@code expo}: Expo allows 600 a second per project
     * @param apns {@code apns}: Apple publishes no figure; keep it generous
     */
    @ConfigurationProperties("herald.dispatch.rate-limits")
    public record Limits(
            @DefaultValue("10000") int fcm,
            @DefaultValue("600") int expo,
            @DefaultValue("5000") int apns) {}

    private final Map<Provider, Bucket> buckets = new EnumMap<>(Provider.class);

    ProviderRateLimits(Limits limits) {
        buckets.put(Provider.FCM, bucket(limits.fcm()));
        buckets.put(Provider.EXPO, bucket(limits.expo()));
        buckets.put(Provider.APNS, bucket(limits.apns()));
    }

    private static Bucket bucket(int perSecond) {
        return Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(perSecond)
                        .refillGreedy(perSecond, Duration.ofSeconds(1))
                        .build())
                .build();
    }

    /** Waits, if need be, until {@code provider} may be sent one more message. */
    public void acquire(Provider provider) throws InterruptedException {
        Bucket bucket = buckets.get(provider);
        if (bucket != null) {
            bucket.asBlocking().consume(1);
        }
    }

    /** How many sends {@code provider} may make right now without waiting. */
    long available(Provider provider) {
        Bucket bucket = buckets.get(provider);
        return bucket == null ? Long.MAX_VALUE : bucket.getAvailableTokens();
    }
}
