package io.herald.fanout.kafka;

import io.herald.events.InAppNotification;
import io.herald.events.JsonDeserializer;
import io.herald.events.Topics;
import io.herald.spring.kafka.HeraldKafka;
import io.herald.spring.kafka.Outages;
import io.herald.spring.kafka.TopicSettings;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.CommonLoggingErrorHandler;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Kafka wiring: {@code herald.inapp.v1} read as {@link InAppNotification} JSON behind an {@link
 * ErrorHandlingDeserializer}, so a record that cannot be read or stored goes to {@code herald.inapp.v1-dlt}
 * (the original bytes, the reason in {@code herald-dlt-*} headers) and the consumer carries on.
 */
@Configuration(proxyBeanMethods = false)
class FanoutKafkaConfig {

    private static final String SERVICE = "ws-fanout-service";

    @Bean
    ConsumerFactory<String, InAppNotification> kafkaConsumerFactory(KafkaProperties properties, MeterRegistry meters) {
        // A record that cannot be read reaches the inbox's error handler, which dead-letters it.
        return HeraldKafka.consumerFactory(
                properties, new ErrorHandlingDeserializer<>(new JsonDeserializer<>(InAppNotification.class)), meters);
    }

    /**
     * The inbox writer's. Its rebalance listener records, for each partition it is given, that everything below
     * the group's committed offset is stored (a resume waits for the writers' progress).
     */
    @Bean
    ConcurrentKafkaListenerContainerFactory<String, InAppNotification> kafkaListenerContainerFactory(
            ConsumerFactory<String, InAppNotification> consumerFactory,
            DefaultErrorHandler errorHandler,
            @Qualifier("writerProgress") ConsumerAwareRebalanceListener writerProgress) {
        // PostgreSQL away: the inbox waits for it (records held, not dead-lettered).
        var factory = batchFactory(consumerFactory, Outages.heldThrough(errorHandler));
        factory.getContainerProperties().setConsumerRebalanceListener(writerProgress);
        return factory;
    }

    /**
     * The live path's: it never dead-letters. A notification it cannot push is in the inbox all the same (the
     * inbox writer's group dead-letters what cannot be read or stored, once); a failure of one node's live path
     * is logged and that poll's pushes are skipped — clients get them back with {@code resume}. Its rebalance
     * listener is the live path's frontier, which a resume splits the stream at.
     */
    @Bean
    ConcurrentKafkaListenerContainerFactory<String, InAppNotification> liveListenerContainerFactory(
            ConsumerFactory<String, InAppNotification> consumerFactory,
            @Qualifier("liveFrontier") ConsumerAwareRebalanceListener liveFrontier) {
        var factory = batchFactory(consumerFactory, new CommonLoggingErrorHandler());
        factory.getContainerProperties().setConsumerRebalanceListener(liveFrontier);
        return factory;
    }

    /**
     * The two readers of {@code herald.inapp.v1} take a poll's worth at a time: the inbox stores it in one
     * statement, the live path writes it to the sockets and publishes the statuses without waiting on each.
     * They carry each record's trace context on themselves (no span per record).
     */
    private static ConcurrentKafkaListenerContainerFactory<String, InAppNotification> batchFactory(
            ConsumerFactory<String, InAppNotification> consumerFactory, CommonErrorHandler errorHandler) {
        var factory = new ConcurrentKafkaListenerContainerFactory<String, InAppNotification>();
        factory.setConsumerFactory(consumerFactory);
        factory.setCommonErrorHandler(errorHandler);
        factory.setBatchListener(true);
        // Offsets are committed once a second at most (and when the container stops), without waiting for the
        // broker's answer: a commit per poll cost the live path a sixth of its time and the broker a request per
        // poll. What a crash leaves uncommitted is redelivered: the inbox's upsert absorbs it, and a live
        // notification is at most written twice to a socket that reconnected in that second.
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.TIME);
        factory.getContainerProperties().setAckTime(1_000);
        factory.getContainerProperties().setSyncCommits(false);
        // The once-a-second commit is made between polls, so an idle consumer makes it after its next poll: waiting
        // at most 500 ms (not Spring's 5 s), a burst's last offsets are committed within 1.5 s of it, and consumer
        // lag does not show a backlog for seconds after it was done.
        factory.getContainerProperties().setPollTimeout(500);
        return factory;
    }

    /** Every record this service writes: JSON values (no type headers), or the original bytes for dead letters. */
    @Bean
    KafkaTemplate<String, Object> kafkaTemplate(KafkaProperties properties) {
        // No span per record: the live path puts each notification's traceparent on its statuses itself, and
        // dead letters keep the original record's headers.
        return HeraldKafka.template(properties);
    }

    @Bean
    DefaultErrorHandler kafkaErrorHandler(KafkaTemplate<String, Object> kafkaTemplate) {
        // Only the inbox writer's herald.inapp.v1 records reach it: their dead letters go to herald.inapp.v1-dlt.
        var backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxElapsedTime(5_000);
        return HeraldKafka.deadLettering(kafkaTemplate, SERVICE, backOff);
    }

    @Bean
    NewTopic inAppDeadLetterTopic(TopicSettings settings) {
        return settings.topic(Topics.INAPP_DLT);
    }

    @Bean
    NewTopic deliveryStatusTopic(TopicSettings settings) {
        return settings.topic(Topics.DELIVERY_STATUS);
    }

    @Bean
    NewTopic clientActionsTopic(TopicSettings settings) {
        return settings.topic(Topics.CLIENT_ACTIONS);
    }

    @Bean
    NewTopic inAppTopic(TopicSettings settings) {
        return settings.topic(Topics.INAPP);
    }

    /** The socket's {@code send_notification} and reply routing publish events, as the gateway does. */
    @Bean
    NewTopic eventsTopic(TopicSettings settings) {
        return settings.topic(Topics.EVENTS);
    }
}
