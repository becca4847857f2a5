package io.herald.spring.health;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Registers {@link KafkaHealthIndicator} as the {@code kafka} health contributor in every service that has
 * Spring Kafka's {@link KafkaAdmin} and Actuator's health support; {@code herald.health.kafka-timeout} (default
 * 3 s) bounds each check.
 */
@AutoConfiguration(afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnClass({HealthIndicator.class, KafkaAdmin.class})
public class KafkaHealthAutoConfiguration {

    @Bean(name = "kafkaHealthIndicator")
    @ConditionalOnBean(KafkaAdmin.class)
    @ConditionalOnMissingBean(name = "kafkaHealthIndicator")
    KafkaHealthIndicator kafkaHealthIndicator(
            KafkaAdmin admin, @Value("${herald.health.kafka-timeout:3s}") Duration timeout) {
        return new KafkaHealthIndicator(admin.getConfigurationProperties(), timeout);
    }
}
