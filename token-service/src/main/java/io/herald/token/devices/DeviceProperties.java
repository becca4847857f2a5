package io.herald.token.devices;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Device settings, {@code herald.token.devices.*}.
 *
 * @param staleAfter {@code stale-after}: devices not seen for this long are deleted
 * @param pruneInterval {@code prune-interval}: how often to look for them
 * @param cacheTtl {@code cache-ttl}: how long routing may reuse a user's device list. A change on any instance
 *     clears it before the next routing poll on every instance ({@link DeviceCache}); this bounds how long a list
 *     lives regardless
 * @param cacheSize {@code cache-size}: how many users' device lists to keep
 * @param maxPerUser {@code max-per-user}: the most devices a user may have; registering one more deletes the least
 *     recently seen (inactive ones first), and the registration's answer lists them under {@code retired}
 */
@ConfigurationProperties("herald.token.devices")
public record DeviceProperties(
        @DefaultValue("270d") Duration staleAfter,
        @DefaultValue("1d") Duration pruneInterval,
        @DefaultValue("30s") Duration cacheTtl,
        @DefaultValue("100000") int cacheSize,
        @DefaultValue("20") int maxPerUser) {

    public DeviceProperties {
        if (!staleAfter.isPositive() || !pruneInterval.isPositive() || !cacheTtl.isPositive()) {
            throw new IllegalArgumentException(
                    "herald.token.devices.stale-after, prune-interval and cache-ttl must be positive");
        }
        if (cacheSize < 0) {
            throw new IllegalArgumentException("herald.token.devices.cache-size must not be negative");
        }
        if (maxPerUser < 1) {
            throw new IllegalArgumentException("herald.token.devices.max-per-user must be at least 1");
        }
    }
}
