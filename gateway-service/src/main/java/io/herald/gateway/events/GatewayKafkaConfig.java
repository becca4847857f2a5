package io.herald.gateway.events;

import io.herald.events.Topics;
import io.herald.spring.kafka.HeraldKafka;
import io.herald.spring.kafka.TopicSettings;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;

/** The gateway produces {@code herald.events.v1}: plain JSON, keyed by event id, no type headers. */
@Configuration(proxyBeanMethods = false)
class GatewayKafkaConfig {

    @Bean
    KafkaTemplate<String, Object> kafkaTemplate(KafkaProperties properties) {
        // No producer observation: EventPublisher puts the request's trace context (W3C traceparent) on each
        // record itself, without a span per record.
        return HeraldKafka.template(properties);
    }

    @Bean
    NewTopic eventsTopic(TopicSettings settings) {
        return settings.topic(Topics.EVENTS);
    }
}
