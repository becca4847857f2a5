package io.herald.spring.kafka;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How every service creates the topics it produces: {@code herald.topics.partitions} (default 3), {@code
 * replication-factor} (1), {@code retention} (7 days) for the pipeline's topics and {@code
 * dead-letter-retention} (30 days) for {@code *-dlt} topics, which operators read and replay later. One setting
 * for all services, so a topic is created alike by whichever service starts first.
 */
public record TopicSettings(int partitions, short replicas, Duration retention, Duration deadLetterRetention) {

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    public static final Duration DEFAULT_DEAD_LETTER_RETENTION = Duration.ofDays(30);

    public TopicSettings {
        if (partitions < 1 || replicas < 1) {
            throw new IllegalArgumentException("herald.topics.partitions and replication-factor must be at least 1");
        }
        if (retention.isNegative()
                || retention.isZero()
                || deadLetterRetention.isNegative()
                || deadLetterRetention.isZero()) {
            throw new IllegalArgumentException("herald.topics retention settings must be positive");
        }
    }

    /** The defaults: 3 partitions, 1 replica, 7 days, 30 days for dead letters. */
    public static TopicSettings defaults() {
        return new TopicSettings(3, (short) 1, DEFAULT_RETENTION, DEFAULT_DEAD_LETTER_RETENTION);
    }

    /** The topic {@code name} as Herald creates it. */
    public NewTopic topic(String name) {
        return new NewTopic(name, partitions, replicas)
                .configs(Map.of(
                        TopicConfig.RETENTION_MS_CONFIG,
                        Long.toString(retentionOf(name).toMillis())));
    }

    /** How long records of {@code name} are kept. */
    public Duration retentionOf(String name) {
        return name.endsWith("-dlt") ? deadLetterRetention : retention;
    }
}
