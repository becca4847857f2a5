package io.herald.dispatch.kafka;

import io.herald.dispatch.delivery.Retries;
import io.herald.events.Topics;
import io.herald.spring.kafka.HeraldKafka;
import io.herald.spring.kafka.TopicSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Kafka wiring: push deliveries are read as bytes, a poll at a time, and parsed by the {@link
 * io.herald.dispatch.delivery.Dispatcher} (an unreadable one is dead-lettered with its reason there); records
 * are written as JSON. Topics, retry topics included, are declared here with the main topic's partitions.
 */
@Configuration(proxyBeanMethods = false)
class DispatchKafkaConfig {

    @Bean
    ConsumerFactory<String, byte[]> kafkaConsumerFactory(KafkaProperties properties, MeterRegistry meters) {
        // Read as bytes: the Dispatcher parses each delivery and dead-letters one it cannot read. Kafka's consumer
        // metrics, consumer lag among them (kafka.consumer.fetch.manager.records.lag.max).
        return HeraldKafka.consumerFactory(properties, new ByteArrayDeserializer(), meters);
    }

    /** Every record this service writes: JSON values without type headers, or original bytes for dead letters. */
    @Bean
    KafkaTemplate<String, Object> kafkaTemplate(KafkaProperties properties) {
        return HeraldKafka.template(properties);
    }

    /**
     * Push deliveries, a poll at a time (up to {@code max.poll.records}), acknowledged by the listener. A batch
     * that throws (PostgreSQL or Kafka unreachable) is tried again with a backoff, for as long as it takes:
     * nothing is skipped.
     */
    @Bean
    ConcurrentKafkaListenerContainerFactory<String, byte[]> pushBatchFactory(
            ConsumerFactory<String, byte[]> consumers) {
        var factory = new ConcurrentKafkaListenerContainerFactory<String, byte[]>();
        factory.setConsumerFactory(consumers);
        factory.setBatchListener(true);
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.MANUAL);
        // A retry topic waits by pausing for at least the poll timeout: keep it short.
        factory.getContainerProperties().setPollTimeout(100);
        factory.setCommonErrorHandler(new DefaultErrorHandler(outageBackOff()));
        return factory;
    }

    /**
     * The dead-letter topic's reader (the {@code dead_lettered} row, and its status when statuses are published),
     * one record at a time. A record that throws (PostgreSQL or Kafka unreachable: nothing else does) is tried
     * again with a backoff, for as long as it takes, so that no dead letter goes unrecorded.
     */
    @Bean
    ConcurrentKafkaListenerContainerFactory<String, byte[]> kafkaListenerContainerFactory(
            ConsumerFactory<String, byte[]> consumers) {
        var factory = new ConcurrentKafkaListenerContainerFactory<String, byte[]>();
        factory.setConsumerFactory(consumers);
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
        factory.getContainerProperties().setObservationEnabled(true);
        factory.setCommonErrorHandler(new DefaultErrorHandler(outageBackOff()));
        return factory;
    }

    /** From half a second to ten seconds apart, without end: an outage is waited out, never skipped. */
    private static ExponentialBackOff outageBackOff() {
        var backOff = new ExponentialBackOff(Duration.ofMillis(500).toMillis(), 2.0);
        backOff.setMaxInterval(Duration.ofSeconds(10).toMillis());
        return backOff;
    }

    @Bean
    KafkaAdmin.NewTopics dispatchTopics(Retries retries, TopicSettings settings) {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : List.of(Topics.PUSH, Topics.PUSH_DLT, Topics.DELIVERY_STATUS, Topics.TOKEN_FEEDBACK)) {
            topics.add(settings.topic(name));
        }
        retries.topics().forEach(name -> topics.add(settings.topic(name)));
        return new KafkaAdmin.NewTopics(topics.toArray(NewTopic[]::new));
    }
}
