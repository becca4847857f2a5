package io.herald.dispatch.kafka;

import io.herald.dispatch.delivery.UndeliverableException;
import io.herald.events.DeadLetters;
import io.herald.events.JsonDeserializer;
import io.herald.events.JsonOrRawSerializer;
import io.herald.events.PushDelivery;
import io.herald.events.RejectedRecordException;
import io.herald.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/**
 * Kafka wiring: {@code herald.push.v1} read as {@link PushDelivery} JSON behind an {@link
 * ErrorHandlingDeserializer}, records written as JSON; retries and dead letters in {@link RetryTopics}.
 */
@Configuration(proxyBeanMethods = false)
class DispatchKafkaConfig {

    private static final String SERVICE = "dispatch-service";

    @Bean
    ConsumerFactory<String, PushDelivery> kafkaConsumerFactory(KafkaProperties properties, MeterRegistry meters) {
        var factory = new DefaultKafkaConsumerFactory<>(
                properties.buildConsumerProperties(),
                new StringDeserializer(),
                new ErrorHandlingDeserializer<>(new JsonDeserializer<>(PushDelivery.class)));
        // Kafka's own consumer metrics, consumer lag among them (kafka.consumer.fetch.manager.records.lag.max).
        factory.addListener(new MicrometerConsumerListener<>(meters));
        return factory;
    }

    /** Every record this service writes: JSON values without type headers, or original bytes for dead letters. */
    @Bean
    KafkaTemplate<String, Object> kafkaTemplate(KafkaProperties properties) {
        return new KafkaTemplate<>(new DefaultKafkaProducerFactory<String, Object>(
                properties.buildProducerProperties(), new StringSerializer(), new JsonOrRawSerializer()));
    }

    static Headers reason(String failedTopic, Exception exception) {
        // A record failing on herald.push.v1-retry-N belongs to herald.push.v1: that is where a replay goes.
        String topic = failedTopic.replaceFirst("-retry-\\d+$", "");
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof UndeliverableException undeliverable) {
                return DeadLetters.headers(
                        topic, SERVICE, undeliverable.code(), String.valueOf(undeliverable.getMessage()));
            }
        }
        Throwable root = exception;
        while (root.getCause() != null && !(root instanceof RejectedRecordException)) {
            root = root.getCause();
        }
        if (root instanceof RejectedRecordException) {
            return DeadLetters.headers(topic, SERVICE, exception);
        }
        return DeadLetters.headers(topic, SERVICE, "retries-exhausted", String.valueOf(root.getMessage()));
    }

    @Bean
    ConcurrentKafkaListenerContainerFactory<String, PushDelivery> kafkaListenerContainerFactory(
            ConsumerFactory<String, PushDelivery> consumerFactory) {
        // Error handling (retry topics, the dead-letter topic) is configured by RetryTopics.
        var factory = new ConcurrentKafkaListenerContainerFactory<String, PushDelivery>();
        factory.setConsumerFactory(consumerFactory);
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
        return factory;
    }

    @Bean
    KafkaAdmin.NewTopics dispatchTopics(
            @Value("${herald.topics.partitions:3}") int partitions,
            @Value("${herald.topics.replication-factor:1}") short replicas) {
        return new KafkaAdmin.NewTopics(
                topic(Topics.PUSH, partitions, replicas),
                topic(Topics.PUSH_DLT, partitions, replicas),
                topic(Topics.DELIVERY_STATUS, partitions, replicas),
                topic(Topics.TOKEN_FEEDBACK, partitions, replicas));
    }

    private static NewTopic topic(String name, int partitions, short replicas) {
        return TopicBuilder.name(name).partitions(partitions).replicas(replicas).build();
    }
}
