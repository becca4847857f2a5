package io.herald.spring.kafka;

import io.herald.events.RejectedRecordException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.support.KafkaUtils;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * What a batch listener throws at a record it cannot take — its value could not be read, or the table it goes to
 * refused it — so that the error handler dead-letters that record alone.
 */
public final class UnreadableRecords {

    /** Where spring-kafka logs a deserializer-failure header it cannot read back (it must not be null). */
    private static final LogAccessor LOG = new LogAccessor(UnreadableRecords.class);

    private UnreadableRecords() {}

    /**
     * For the record at {@code index} of a batch, whose value is null: the deserializer's failure (from the
     * {@code ErrorHandlingDeserializer}'s header), or, for a record that has no value at all, a schema violation
     * naming {@code what} (such as "a delivery status"). The error handler commits the records before it,
     * dead-letters this one with the reason and redelivers the rest.
     */
    public static BatchListenerFailedException failure(ConsumerRecord<?, ?> record, int index, String what) {
        DeserializationException cause =
                SerializationUtils.getExceptionFromHeader(record, KafkaUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, LOG);
        return new BatchListenerFailedException(
                what + " at offset " + record.offset() + " could not be read",
                cause == null ? noValue(what) : cause,
                index);
    }

    /**
     * For a record read without error whose value is null — none at all, or the JSON {@code null} — that names
     * {@code what} it should have been (such as "a token feedback"): a schema violation, not retried.
     */
    public static RejectedRecordException noValue(String what) {
        return new RejectedRecordException(RejectedRecordException.SCHEMA_VIOLATION, what + " with no value");
    }

    /**
     * For {@code record}, which {@code by} (such as "the inbox") refused: a schema violation whose reason carries
     * the database's own message. {@code what} names the record (such as "in-app notification").
     */
    public static BatchListenerFailedException refused(
            ConsumerRecord<?, ?> record, String what, String by, RuntimeException refusal) {
        return new BatchListenerFailedException(what + " refused by " + by, refusal(by, refusal), record);
    }

    /**
     * The refusal of a record by {@code by} (such as "the device registry"), for a listener of one record at a
     * time: a schema violation, not retried, whose reason carries the database's own message.
     */
    public static RejectedRecordException refusal(String by, Throwable refusal) {
        Throwable cause = refusal;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return new RejectedRecordException(
                RejectedRecordException.SCHEMA_VIOLATION, "refused by " + by + ": " + cause.getMessage(), refusal);
    }
}
