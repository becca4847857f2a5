package io.herald.events;

import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/**
 * Writes any of Herald's records as plain UTF-8 JSON, with no type headers. Thread-safe.
 *
 * @param <T> the record type
 */
public final class JsonSerializer<T> implements Serializer<T> {

    @Override
    public byte @Nullable [] serialize(String topic, @Nullable T data) {
        return data == null ? null : HeraldJson.mapper().writeValueAsBytes(data);
    }
}
