package io.herald.events;

import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads a {@link DomainEvent} from plain JSON and validates it against {@link DomainEventSchema}. Anything
 * else raises {@link RejectedRecordException} with a reason a producer can act on. Thread-safe.
 */
public final class DomainEventDeserializer implements Deserializer<DomainEvent> {

    @Override
    public @Nullable DomainEvent deserialize(String topic, byte @Nullable [] data) {
        return data == null ? null : parse(data);
    }

    /**
     * Parses and validates one event.
     *
     * @throws RejectedRecordException with code {@value RejectedRecordException#INVALID_JSON}, {@value
     *     RejectedRecordException#INVALID_CHARACTERS} or {@value RejectedRecordException#SCHEMA_VIOLATION}
     */
    public static DomainEvent parse(byte[] json) {
        JsonNode tree;
        try {
            tree = HeraldJson.mapper().readTree(json);
        } catch (JacksonException e) {
            throw new RejectedRecordException(
                    RejectedRecordException.INVALID_JSON, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        return fromTree(tree);
    }

    /**
     * Validates and converts an already parsed event; see {@link #parse(byte[])}. Its strings are checked against
     * {@link TextRules} first, so that a control character is refused with {@value
     * RejectedRecordException#INVALID_CHARACTERS} naming the field rather than as a pattern of the schema.
     */
    public static DomainEvent fromTree(JsonNode tree) {
        TextRules.Violation invalidText = TextRules.check(tree);
        if (invalidText != null) {
            throw TextRules.rejection("not a valid DomainEvent", invalidText);
        }
        var violations = DomainEventSchema.violations(tree);
        if (!violations.isEmpty()) {
            throw new RejectedRecordException(
                    RejectedRecordException.SCHEMA_VIOLATION,
                    "does not match the DomainEvent schema: " + String.join("; ", violations));
        }
        try {
            return HeraldJson.mapper().treeToValue(tree, DomainEvent.class);
        } catch (JacksonException e) {
            throw new RejectedRecordException(
                    RejectedRecordException.SCHEMA_VIOLATION,
                    "does not match the DomainEvent schema: " + e.getOriginalMessage(),
                    e);
        }
    }
}
