package io.herald.token.routing;

import io.herald.events.JsonDeserializer;
import io.herald.events.Topics;
import io.herald.spring.kafka.HeraldKafka;
import io.herald.spring.kafka.Outages;
import io.herald.spring.kafka.TopicSettings;
import io.herald.token.topics.TopicProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/**
 * The topic fan-out's Kafka wiring: {@code herald.topic-fanout.v1} with {@code herald.token.topics.partitions}
 * partitions (and its dead-letter topic), read in batches of {@code max-poll-records} records.
 */
@Configuration(proxyBeanMethods = false)
class TopicFanoutConfig {

    @Bean
    ConcurrentKafkaListenerContainerFactory<String, FanoutWork> topicFanoutContainerFactory(
            KafkaProperties kafka, DefaultErrorHandler errorHandler, MeterRegistry meters, TopicProperties properties) {
        DefaultKafkaConsumerFactory<String, FanoutWork> consumers = HeraldKafka.consumerFactory(
                kafka, new ErrorHandlingDeserializer<>(new JsonDeserializer<>(FanoutWork.class)), meters);
        // A chunk is a thousand notifications: a poll takes a few, never a topic's worth.
        consumers.updateConfigs(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, properties.maxPollRecords()));
        var factory = new ConcurrentKafkaListenerContainerFactory<String, FanoutWork>();
        factory.setConsumerFactory(consumers);
        factory.setCommonErrorHandler(Outages.heldThrough(errorHandler));
        factory.setBatchListener(true);
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
        return factory;
    }

    @Bean
    KafkaAdmin.NewTopics topicFanoutTopics(TopicSettings settings, TopicProperties properties) {
        NewTopic work = new NewTopic(Topics.TOPIC_FANOUT, properties.partitions(), settings.replicas())
                .configs(Map.of(
                        TopicConfig.RETENTION_MS_CONFIG,
                        Long.toString(settings.retentionOf(Topics.TOPIC_FANOUT).toMillis())));
        return new KafkaAdmin.NewTopics(work, settings.topic(Topics.TOPIC_FANOUT_DLT));
    }
}
