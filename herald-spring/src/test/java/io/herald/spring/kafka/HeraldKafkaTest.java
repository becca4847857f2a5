package io.herald.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldHeaders;
import io.herald.events.JsonOrRawSerializer;
import io.herald.events.RejectedRecordException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.mock.MockProducerFactory;

class HeraldKafkaTest {

    @Test
    void theTemplateWritesStringKeysAndJsonOrRawValues() {
        var factory = (DefaultKafkaProducerFactory<String, Object>)
                HeraldKafka.template(new KafkaProperties()).getProducerFactory();

        assertThat(factory.getKeySerializerSupplier().get()).isInstanceOf(StringSerializer.class);
        assertThat(factory.getValueSerializerSupplier().get()).isInstanceOf(JsonOrRawSerializer.class);
    }

    @Test
    void consumersReadStringKeysWithKafkasClientMetrics() {
        var values = new ByteArrayDeserializer();
        var factory = HeraldKafka.consumerFactory(new KafkaProperties(), values, new SimpleMeterRegistry());

        assertThat(factory.getKeyDeserializer()).isInstanceOf(StringDeserializer.class);
        assertThat(factory.getValueDeserializer()).isSameAs(values);
        assertThat(factory.getListeners()).hasExactlyElementsOfTypes(MicrometerConsumerListener.class);
    }

    @Test
    void aFailedRecordGoesToItsTopicsDeadLetterTopicAsItCameWithTheReason() {
        var producer = new MockProducer<String, Object>(true, null, new StringSerializer(), new JsonOrRawSerializer());
        var template = new KafkaTemplate<>(new MockProducerFactory<String, Object>(() -> producer));
        byte[] original = "{not json".getBytes(StandardCharsets.UTF_8);

        HeraldKafka.deadLetterRecoverer(template, "some-service")
                .accept(
                        new ConsumerRecord<>("herald.example.v1", 3, 42L, "key-1", original),
                        new RuntimeException(new RejectedRecordException(
                                RejectedRecordException.INVALID_JSON, "not JSON at offset 1")));

        assertThat(producer.history()).singleElement().satisfies(record -> {
            assertThat(record.topic()).isEqualTo("herald.example.v1-dlt");
            assertThat(record.key()).isEqualTo("key-1");
            assertThat(record.value()).isEqualTo(original);
            assertThat(header(record, HeraldHeaders.DLT_REASON_CODE)).isEqualTo(RejectedRecordException.INVALID_JSON);
            assertThat(header(record, HeraldHeaders.DLT_REASON)).isEqualTo("not JSON at offset 1");
            assertThat(header(record, HeraldHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo("herald.example.v1");
            assertThat(header(record, HeraldHeaders.DLT_SERVICE)).isEqualTo("some-service");
        });
    }

    private static String header(ProducerRecord<String, Object> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
