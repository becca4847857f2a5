package io.herald.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.events.Topics;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TopicSettingsTest {

    @Test
    void pipelineTopicsKeepAWeekAndDeadLettersAMonthByDefault() {
        var settings = TopicSettings.defaults();

        var events = settings.topic(Topics.EVENTS);
        assertThat(events.name()).isEqualTo("herald.events.v1");
        assertThat(events.numPartitions()).isEqualTo(3);
        assertThat(events.replicationFactor()).isEqualTo((short) 1);
        assertThat(events.configs())
                .containsEntry("retention.ms", Long.toString(Duration.ofDays(7).toMillis()));
        assertThat(settings.topic(Topics.PUSH_DLT).configs())
                .containsEntry("retention.ms", Long.toString(Duration.ofDays(30).toMillis()));
        assertThat(settings.retentionOf("herald.push.v1-retry-2")).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void operatorsSetPartitionsReplicasAndBothRetentions() {
        var settings = new TopicSettings(12, (short) 3, Duration.ofHours(36), Duration.ofDays(90));

        var push = settings.topic(Topics.PUSH);
        assertThat(push.numPartitions()).isEqualTo(12);
        assertThat(push.replicationFactor()).isEqualTo((short) 3);
        assertThat(push.configs()).containsEntry("retention.ms", "129600000");
        assertThat(settings.topic(Topics.EVENTS_DLT).configs()).containsEntry("retention.ms", "7776000000");
    }

    @Test
    void nonsenseIsRefusedAtStartup() {
        assertThatThrownBy(() -> new TopicSettings(0, (short) 1, Duration.ofDays(1), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TopicSettings(3, (short) 1, Duration.ZERO, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retention");
    }
}
