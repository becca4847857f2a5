package io.herald.spring.kafka;

import java.time.Duration;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** {@link TopicSettings} from {@code herald.topics.*}, for every service's topic declarations. */
@AutoConfiguration
@ConditionalOnClass(NewTopic.class)
public class TopicSettingsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TopicSettings heraldTopicSettings(
            @Value("${herald.topics.partitions:3}") int partitions,
            @Value("${herald.topics.replication-factor:1}") short replicas,
            @Value("${herald.topics.retention:7d}") Duration retention,
            @Value("${herald.topics.dead-letter-retention:30d}") Duration deadLetterRetention) {
        return new TopicSettings(partitions, replicas, retention, deadLetterRetention);
    }
}
