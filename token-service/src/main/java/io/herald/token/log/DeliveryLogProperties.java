package io.herald.token.log;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Delivery log settings, {@code herald.token.delivery-log.*}.
 *
 * @param plannedHold {@code planned-hold}: how long a push's planned entry waits for its status before it is
 *     written (the status then updates it); a status that comes meanwhile is written alone, one row instead of
 *     two writes. {@code 0s} writes every plan at once
 * @param maxHeld {@code max-held}: at most this many plans wait at a time; beyond it plans are written at once
 * @param retention {@code retention}: how long the log keeps an entry, in whole days (it is kept in one partition a
 *     day, dropped whole once all its entries are older): at least this long, at most a day longer
 * @param partitionCheckInterval {@code partition-check-interval}: how often to make the next days' partitions
 *     ahead and drop those past the retention (also at startup)
 */
@ConfigurationProperties("herald.token.delivery-log")
record DeliveryLogProperties(
        @DefaultValue("1s") Duration plannedHold,
        @DefaultValue("100000") int maxHeld,
        @DefaultValue("30d") Duration retention,
        @DefaultValue("1h") Duration partitionCheckInterval) {

    DeliveryLogProperties {
        if (plannedHold.isNegative()) {
            throw new IllegalArgumentException("herald.token.delivery-log.planned-hold must not be negative");
        }
        if (maxHeld < 0) {
            throw new IllegalArgumentException("herald.token.delivery-log.max-held must not be negative");
        }
        if (retention.compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("herald.token.delivery-log.retention must be at least 1d");
        }
        if (!partitionCheckInterval.isPositive()) {
            throw new IllegalArgumentException("herald.token.delivery-log.partition-check-interval must be positive");
        }
    }

    /** The retention in whole days, rounded up. */
    long retentionDays() {
        long days = retention.toDays();
        return retention.equals(Duration.ofDays(days)) ? days : days + 1;
    }
}
