package io.herald.token.devices;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Device settings, {@code herald.token.devices.*}.
 *
 * @param staleAfter {@code stale-after}: devices not seen for this long are deleted
 * @param pruneInterval {@code prune-interval}: how often to look for them
 * @param cacheTtl {@code cache-ttl}: how long routing may reuse a user's device list; a change on this instance
 *     clears it at once, a change on another instance is seen after at most this long
 * @param cacheSize {@code cache-size}: how many users' device lists to keep
 */
@ConfigurationProperties("herald.token.devices")
public record DeviceProperties(
        @DefaultValue("270d") Duration staleAfter,
        @DefaultValue("1d") Duration pruneInterval,
        @DefaultValue("30s") Duration cacheTtl,
        @DefaultValue("100000") int cacheSize) {}
