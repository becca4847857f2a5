package io.herald.token.log;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Delivery log settings, {@code herald.token.delivery-log.*}.
 *
 * @param retention {@code retention}: how long the log keeps an entry, in whole days (it is kept in one partition a
 *     day, dropped whole once all its entries are older): at least this long, at most a day longer
 * @param partitionCheckInterval {@code partition-check-interval}: how often to make the next days' partitions
 *     ahead and drop those past the retention (also at startup)
 */
@ConfigurationProperties("herald.token.delivery-log")
record DeliveryLogProperties(
        @DefaultValue("30d") Duration retention,
        @DefaultValue("1h") Duration partitionCheckInterval) {

    DeliveryLogProperties {
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
