package io.herald.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.RejectedRecordException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.support.KafkaUtils;

class UnreadableRecordsTest {

    @Test
    void aRecordWithNoValueAndAForgedDeserializerHeaderIsASchemaViolationOfItsOwn() {
        // A producer outside Herald can set spring-kafka's header itself; spring-kafka ignores it with a warning
        // (it is no header its deserializer wrote), and the record is refused alone as one with no value.
        var record = new ConsumerRecord<String, Object>("herald.events.v1", 0, 7L, "k", null);
        record.headers()
                .add(new RecordHeader(
                        KafkaUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, "forged".getBytes(StandardCharsets.UTF_8)));

        BatchListenerFailedException failure = UnreadableRecords.failure(record, 3, "a domain event");

        assertThat(failure.getIndex()).isEqualTo(3);
        assertThat(failure.getCause())
                .isInstanceOfSatisfying(
                        RejectedRecordException.class,
                        e -> assertThat(e.code()).isEqualTo(RejectedRecordException.SCHEMA_VIOLATION));
        assertThat(failure.getCause()).hasMessage("a domain event with no value");
    }
}
