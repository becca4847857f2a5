package io.herald.token.routing;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Scheduled delivery, {@code herald.token.schedule.*}: events with a {@code deliverAt} later than now wait in {@code
 * token.scheduled_events} and are routed when due ({@link SchedulePoller}).
 *
 * @param pollInterval {@code poll-interval}: how often each instance looks for due events; an event is routed at most
 *     this much after its {@code deliverAt}, plus the time to route what is due before it
 * @param batchSize {@code batch-size}: due events one instance claims and routes in one transaction; a full batch is
 *     followed at once by the next
 */
@ConfigurationProperties("herald.token.schedule")
record ScheduleProperties(
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("500") int batchSize) {

    ScheduleProperties {
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("herald.token.schedule.poll-interval must be positive");
        }
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException("herald.token.schedule.batch-size must be between 1 and 10000");
        }
    }
}
