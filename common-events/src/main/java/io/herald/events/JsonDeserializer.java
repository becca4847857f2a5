package io.herald.events;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * Reads plain JSON into an explicit target type; no type headers are consulted. A record that is not
 * valid JSON for the type raises {@link RejectedRecordException}, which an {@code ErrorHandlingDeserializer}
 * turns into a dead letter instead of a stuck partition. Thread-safe.
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
        try {
            return HeraldJson.mapper().readValue(data, type);
        } catch (JacksonException e) {
            throw new RejectedRecordException(
                    RejectedRecordException.INVALID_JSON,
                    "not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(),
                    e);
        }
    }
}
