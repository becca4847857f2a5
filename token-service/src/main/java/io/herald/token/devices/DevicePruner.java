package io.herald.token.devices;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes devices not seen for {@code herald.token.devices.stale-after} (270 days), as FCM advises, and device
 * changes older than every instance's cache needs.
 */
@Component
public class DevicePruner {

    private static final Logger log = LoggerFactory.getLogger(DevicePruner.class);

    private final DeviceStore devices;
    private final DeviceCache cache;
    private final DeviceProperties properties;
    private final Clock clock;

    DevicePruner(DeviceStore devices, DeviceCache cache, DeviceProperties properties, Clock clock) {
        this.devices = devices;
        this.cache = cache;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(
            initialDelayString = "${herald.token.devices.prune-interval:1d}",
            fixedDelayString = "${herald.token.devices.prune-interval:1d}")
    public int prune() {
        int deleted = devices.deleteNotSeenSince(clock.instant().minus(properties.staleAfter()));
        if (deleted > 0) {
            cache.invalidateAll();
            log.info("pruned {} devices not seen for {}", deleted, properties.staleAfter());
        }
        return deleted;
    }

    /** Forgets device changes every instance has read ({@link DeviceCache}). */
    @Scheduled(initialDelay = 10, fixedDelay = 10, timeUnit = TimeUnit.MINUTES)
    public int forgetOldChanges() {
        return devices.forgetChangesOlderThan(DeviceCache.CHANGES_KEPT);
    }
}
