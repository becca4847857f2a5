package io.herald.fanout.kafka;

import io.herald.events.HeraldJson;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/** Dead letters keep the original bytes when the record could not be read, and are JSON otherwise. */
final class RawOrJsonSerializer implements Serializer<Object> {

    @Override
    public byte @Nullable [] serialize(String topic, @Nullable Object data) {
        if (data == null) {
            return null;
        }
        return data instanceof byte[] bytes ? bytes : HeraldJson.mapper().writeValueAsBytes(data);
    }
}
