package io.herald.events;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * Reads plain JSON into an explicit target type; no type headers are consulted. A record that is not
 * valid JSON for the type raises {@link RejectedRecordException}, which an {@code ErrorHandlingDeserializer}
 * turns into a dead letter instead of a stuck partition; so does one of Herald's records ({@link
 * InAppNotification}, {@link PushDelivery}, {@link DeliveryStatus}, {@link TokenFeedback}) with a string that
 * breaks {@link TextRules} (code {@value RejectedRecordException#INVALID_CHARACTERS}). Thread-safe.
 *
 * @param <T> the record type
 */
public class JsonDeserializer<T> implements org.apache.kafka.common.serialization.Deserializer<T> {

    private final Class<T> type;

    public JsonDeserializer(Class<T> type) {
        this.type = type;
    }

    @Override
    public @Nullable T deserialize(String topic, byte @Nullable [] data) {
        if (data == null) {
            return null;
        }
        T value;
        try {
            value = HeraldJson.mapper().readValue(data, type);
        } catch (JacksonException e) {
            throw new RejectedRecordException(
                    RejectedRecordException.INVALID_JSON,
                    "not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(),
                    e);
        }
        TextRules.Violation invalidText = TextRules.checkRecord(value);
        if (invalidText != null) {
            throw TextRules.rejection("not a valid " + type.getSimpleName(), invalidText);
        }
        return value;
    }
}
