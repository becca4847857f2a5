package io.herald.events;

import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/**
 * Writes any value as Herald JSON, except a {@code byte[]}, written as it is: a dead-letter topic keeps the
 * original bytes of a record that could not be read.
 */
public final class JsonOrRawSerializer implements Serializer<Object> {

    @Override
    public byte @Nullable [] serialize(String topic, @Nullable Object data) {
        if (data == null) {
            return null;
        }
        return data instanceof byte[] bytes ? bytes : HeraldJson.mapper().writeValueAsBytes(data);
    }
}
