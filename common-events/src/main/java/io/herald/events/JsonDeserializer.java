package io.herald.events;

import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * Reads plain JSON into an explicit target type; no type headers are consulted. A record that is not
 * valid JSON for the type raises {@link RejectedRecordException}, which an {@code ErrorHandlingDeserializer}
 * turns into a dead letter instead of a stuck partition; so does a record with any string — a field, a map key or
 * value, an id or a time — that breaks {@link TextRules} (code {@value RejectedRecordException#INVALID_CHARACTERS},
 * the field named). Thread-safe.
 *
 * @param <T> the record type
 */
public class JsonDeserializer<T> implements Deserializer<T> {

    private final Class<T> type;

    public JsonDeserializer(Class<T> type) {
        this.type = type;
    }

    @Override
    public @Nullable T deserialize(String topic, byte @Nullable [] data) {
        if (data == null) {
            return null;
        }
        // Herald's rule for text, before binding: a control character in a field that is an id, a time or a name
        // would otherwise fail the binding (or, in some, be ignored) instead of being named as what it is.
        if (TextRules.mayBreakRule(data)) {
            TextRules.Violation invalidText = invalidTextOf(data);
            if (invalidText != null) {
                throw TextRules.rejection("not a valid " + type.getSimpleName(), invalidText);
            }
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

    private static TextRules.@Nullable Violation invalidTextOf(byte[] data) {
        try {
            return TextRules.check(HeraldJson.mapper().readTree(data));
        } catch (JacksonException notJson) {
            return null;
        }
    }
}
