package io.herald.spring.kafka;

import io.herald.events.DeadLetters;
import io.herald.events.JsonOrRawSerializer;
import io.herald.events.RejectedRecordException;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.BackOff;

/**
 * The Kafka clients every Herald service builds alike, for its own configuration to call: the producer, a
 * consumer factory, the dead-letter error handler. What differs between services — backoffs, fetch sizes, ack
 * modes, which handler a listener gets — stays in the service's configuration and its {@code spring.kafka.*}
 * settings.
 */
public final class HeraldKafka {

    /** Every Herald dead-letter topic is its topic's name plus this. */
    public static final String DEAD_LETTER_SUFFIX = "-dlt";

    private HeraldKafka() {}

    /**
     * The template for every record a service writes: {@code String} keys; values as JSON without type headers,
     * or, for a dead letter, the original bytes ({@link JsonOrRawSerializer}). Built from {@code
     * spring.kafka.producer.*}. No observation: a service that carries trace context puts the {@code traceparent}
     * on its records itself, without a span per record, and dead letters keep the original record's headers.
     */
    public static KafkaTemplate<String, Object> template(KafkaProperties properties) {
        return new KafkaTemplate<>(new DefaultKafkaProducerFactory<String, Object>(
                properties.buildProducerProperties(), new StringSerializer(), new JsonOrRawSerializer()));
    }

    /**
     * Consumers of {@code String} keys and values read by {@code values}, from {@code spring.kafka.consumer.*},
     * with Kafka's client metrics (consumer lag among them) on {@code /actuator/prometheus}. Wrap {@code values} in
     * an {@link ErrorHandlingDeserializer} where a record that cannot be read should reach the error handler, and
     * so its dead-letter topic, rather than fail the poll.
     */
    public static <V> DefaultKafkaConsumerFactory<String, V> consumerFactory(
            KafkaProperties properties, Deserializer<V> values, MeterRegistry meters) {
        var factory = new DefaultKafkaConsumerFactory<>(
                properties.buildConsumerProperties(), new StringDeserializer(), values);
        factory.addListener(new MicrometerConsumerListener<>(meters));
        return factory;
    }

    /**
     * The error handler of a listener whose failed records are dead-lettered: a failure is retried with {@code
     * backOff}, then the record goes to its topic's dead-letter topic (its name plus {@value #DEAD_LETTER_SUFFIX}),
     * written by {@code template} with its original bytes and the reason in {@code herald-dlt-*} headers naming
     * {@code service} ({@link DeadLetters}). A {@link RejectedRecordException} (the record itself is wrong) or a
     * {@link DeserializationException} (it cannot be read) is dead-lettered at once, never retried.
     */
    public static DefaultErrorHandler deadLettering(
            KafkaTemplate<String, Object> template, String service, BackOff backOff) {
        var handler = new DefaultErrorHandler(deadLetterRecoverer(template, service), backOff);
        handler.addNotRetryableExceptions(RejectedRecordException.class, DeserializationException.class);
        return handler;
    }

    /** Writes a failed record to its topic's dead-letter topic, any partition, with the reason in its headers. */
    static DeadLetterPublishingRecoverer deadLetterRecoverer(KafkaTemplate<String, Object> template, String service) {
        var recoverer = new DeadLetterPublishingRecoverer(
                template, (record, exception) -> new TopicPartition(record.topic() + DEAD_LETTER_SUFFIX, -1));
        recoverer.setHeadersFunction((record, exception) -> DeadLetters.headers(record.topic(), service, exception));
        return recoverer;
    }
}
