package io.herald.token.kafka;

import io.herald.events.DeliveryStatus;
import io.herald.events.DomainEvent;
import io.herald.events.DomainEventDeserializer;
import io.herald.events.JsonDeserializer;
import io.herald.events.TokenFeedback;
import io.herald.events.Topics;
import io.herald.spring.kafka.HeraldKafka;
import io.herald.spring.kafka.Outages;
import io.herald.spring.kafka.TopicSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Kafka wiring: {@code herald.events.v1} is read as plain JSON, checked against the DomainEvent schema; a
 * record that is not JSON or breaks the schema goes to {@code herald.events.v1-dlt} with its original bytes
 * and the reason in {@code herald-dlt-*} headers, and routing carries on.
 */
@Configuration(proxyBeanMethods = false)
class TokenKafkaConfig {

    private static final String SERVICE = "token-service";

    @Bean
    ConsumerFactory<String, DomainEvent> kafkaConsumerFactory(KafkaProperties properties, MeterRegistry meters) {
        // A record that is not JSON or breaks the schema reaches the error handler, which dead-letters it.
        return HeraldKafka.consumerFactory(
                properties, new ErrorHandlingDeserializer<>(new DomainEventDeserializer()), meters);
    }

    /** Every record this service writes: JSON values without type headers, or original bytes for dead letters. */
    @Bean
    KafkaTemplate<String, Object> kafkaTemplate(KafkaProperties properties) {
        return HeraldKafka.template(properties);
    }

    @Bean
    DefaultErrorHandler kafkaErrorHandler(KafkaTemplate<String, Object> kafkaTemplate) {
        // Transient trouble (the database, Kafka) is retried with backoff, then dead-lettered with the reason.
        var backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxElapsedTime(30_000);
        return HeraldKafka.deadLettering(kafkaTemplate, SERVICE, backOff);
    }

    @Bean
    ConcurrentKafkaListenerContainerFactory<String, DomainEvent> kafkaListenerContainerFactory(
            ConsumerFactory<String, DomainEvent> consumerFactory, DefaultErrorHandler errorHandler) {
        var factory = new ConcurrentKafkaListenerContainerFactory<String, DomainEvent>();
        factory.setConsumerFactory(consumerFactory);
        factory.setCommonErrorHandler(Outages.heldThrough(errorHandler));
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
        // Each record is handled in the trace its traceparent names (trace ids in logs).
        factory.getContainerProperties().setObservationEnabled(true);
        return factory;
    }

    /** Routing reads a poll's worth of events at once, so its lookups and sends are batched. */
    @Bean
    ConcurrentKafkaListenerContainerFactory<String, DomainEvent> routingContainerFactory(
            ConsumerFactory<String, DomainEvent> consumerFactory, DefaultErrorHandler errorHandler) {
        var factory = new ConcurrentKafkaListenerContainerFactory<String, DomainEvent>();
        factory.setConsumerFactory(consumerFactory);
        factory.setCommonErrorHandler(Outages.heldThrough(errorHandler));
        factory.setBatchListener(true);
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
        return factory;
    }

    /** Delivery statuses, a poll's worth at a time: the delivery log writes them in one batch. */
    @Bean
    ConcurrentKafkaListenerContainerFactory<String, DeliveryStatus> deliveryStatusContainerFactory(
            KafkaProperties properties, DefaultErrorHandler errorHandler, MeterRegistry meters) {
        var factory = typed(properties, errorHandler, meters, DeliveryStatus.class);
        factory.setBatchListener(true);
        // A batch belongs to many traces: no observation per batch.
        factory.getContainerProperties().setObservationEnabled(false);
        return factory;
    }

    @Bean
    ConcurrentKafkaListenerContainerFactory<String, TokenFeedback> tokenFeedbackContainerFactory(
            KafkaProperties properties, DefaultErrorHandler errorHandler, MeterRegistry meters) {
        return typed(properties, errorHandler, meters, TokenFeedback.class);
    }

    private static <T> ConcurrentKafkaListenerContainerFactory<String, T> typed(
            KafkaProperties properties, DefaultErrorHandler errorHandler, MeterRegistry meters, Class<T> type) {
        var factory = new ConcurrentKafkaListenerContainerFactory<String, T>();
        factory.setConsumerFactory(HeraldKafka.consumerFactory(
                properties, new ErrorHandlingDeserializer<>(new JsonDeserializer<>(type)), meters));
        factory.setCommonErrorHandler(Outages.heldThrough(errorHandler));
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
        // Each record is handled in the trace its traceparent names (trace ids in logs).
        factory.getContainerProperties().setObservationEnabled(true);
        return factory;
    }

    @Bean
    KafkaAdmin.NewTopics heraldTopics(TopicSettings settings) {
        // herald.events.v1 too: upstream apps may publish straight onto it, with no gateway running.
        return new KafkaAdmin.NewTopics(Stream.of(
                        Topics.EVENTS,
                        Topics.EVENTS_DLT,
                        Topics.PUSH,
                        Topics.INAPP,
                        Topics.DELIVERY_STATUS,
                        Topics.DELIVERY_STATUS_DLT,
                        Topics.TOKEN_FEEDBACK,
                        Topics.TOKEN_FEEDBACK_DLT)
                .map(settings::topic)
                .toArray(NewTopic[]::new));
    }
}
