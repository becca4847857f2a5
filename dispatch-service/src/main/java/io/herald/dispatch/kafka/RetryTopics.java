package io.herald.dispatch.kafka;

import io.herald.dispatch.delivery.DispatchProperties;
import io.herald.dispatch.delivery.TransientDeliveryException;
import io.herald.events.Topics;
import java.math.BigInteger;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.retrytopic.RetryTopicConfiguration;
import org.springframework.kafka.retrytopic.RetryTopicConfigurationBuilder;
import org.springframework.kafka.retrytopic.RetryTopicConfigurationSupport;
import org.springframework.kafka.retrytopic.RetryTopicHeaders;
import org.springframework.kafka.retrytopic.RetryTopicSchedulerWrapper;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Non-blocking retries of {@code herald.push.v1}: a transient failure moves the delivery to {@code
 * herald.push.v1-retry-N} (exponential backoff with jitter), so one failing delivery never holds up the partition; after {@code max-attempts} it goes to {@code
 * herald.push.v1-dlt}. Anything else that fails (unreadable, undeliverable) goes to the DLT at once. Retry
 * topics get the main topic's partition count. When the provider answers with {@code Retry-After}, that
 * sets the wait instead of the backoff. Every dead letter carries {@code herald-dlt-*} headers.
 */
@Configuration(proxyBeanMethods = false)
class RetryTopics extends RetryTopicConfigurationSupport {

    private static final String SERVICE = "dispatch-service";

    @Bean
    RetryTopicConfiguration pushRetries(
            KafkaTemplate<String, Object> kafkaTemplate,
            DispatchProperties properties,
            @Value("${herald.topics.partitions:3}") int partitions,
            @Value("${herald.topics.replication-factor:1}") short replicas) {
        DispatchProperties.Retry retry = properties.retry();
        var backOff = new ExponentialBackOff(retry.initialInterval().toMillis(), retry.multiplier());
        backOff.setMaxInterval(retry.maxInterval().toMillis());
        backOff.setJitter(retry.jitter().toMillis());
        return RetryTopicConfigurationBuilder.newInstance()
                .includeTopic(Topics.PUSH)
                .customBackoff(backOff)
                .maxAttempts(retry.maxAttempts())
                .retryOn(TransientDeliveryException.class)
                .traversingCauses()
                .suffixTopicsWithIndexValues()
                .autoCreateTopics(true, partitions, replicas)
                .dltHandlerMethod("deadLetterStatuses", "onDeadLetter")
                .doNotRetryOnDltFailure()
                .listenerFactory("kafkaListenerContainerFactory")
                .create(kafkaTemplate);
    }

    /** Wakes paused retry-topic partitions when their records are due. */
    @Bean
    RetryTopicSchedulerWrapper retryTopicScheduler() {
        var scheduler = new ThreadPoolTaskScheduler();
        scheduler.setThreadNamePrefix("push-retry-");
        scheduler.initialize();
        return new RetryTopicSchedulerWrapper(scheduler);
    }

    @Override
    protected java.util.function.Consumer<org.springframework.kafka.retrytopic.DeadLetterPublishingRecovererFactory>
            configureDeadLetterPublishingContainerFactory() {
        return factory -> factory.setHeadersFunction((record, exception) -> {
            var headers = DispatchKafkaConfig.reason(record.topic(), exception);
            Duration retryAfter = retryAfter(exception);
            if (retryAfter != null) {
                // Added after the framework's own backoff header, and read last: the provider's Retry-After wins.
                long notBefore = System.currentTimeMillis() + retryAfter.toMillis();
                headers.add(
                        RetryTopicHeaders.DEFAULT_HEADER_BACKOFF_TIMESTAMP,
                        BigInteger.valueOf(notBefore).toByteArray());
            }
            return headers;
        });
    }

    private static @org.jspecify.annotations.Nullable Duration retryAfter(Throwable exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof TransientDeliveryException transientFailure) {
                return transientFailure.retryAfter();
            }
        }
        return null;
    }
}
