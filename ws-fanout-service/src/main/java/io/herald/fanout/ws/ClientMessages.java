package io.herald.fanout.ws;

import io.herald.events.HeraldJson;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a client's message as the seeds' clients write it. The Django Channels frontend's {@code send_notification}
 * carries {@code "type"} twice, first the message's type and then the notification's ({@code {"type":
 * "send_notification", …, "type": "approval"}}); a plain JSON reader keeps only the last. Here the first {@code
 * type} is the message's and a second one becomes {@code notification_type} (unless that is also given, which
 * wins). Any other repeated name: the last wins, as JSON readers usually do.
 */
final class ClientMessages {

    /** The field a repeated {@code type} is read into. */
    static final String NOTIFICATION_TYPE = "notification_type";

    /** Reads one value where the parser is, inside the message (what follows it is the message's). */
    private static final ObjectReader VALUE =
            HeraldJson.mapper().reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ClientMessages() {}

    /**
     * The message as an object, or {@code null} when it is not one JSON object (nothing may follow it).
     *
     * @throws JacksonException when it is not JSON
     */
    static @Nullable ObjectNode parse(String payload) {
        var mapper = HeraldJson.mapper();
        try (JsonParser parser = mapper.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ObjectNode message = mapper.createObjectNode();
            @Nullable JsonNode secondType = null;
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                JsonNode value = VALUE.readTree(parser);
                if (name.equals("type") && message.has("type")) {
                    secondType = value;
                } else {
                    message.set(name, value);
                }
            }
            if (parser.nextToken() != null) {
                return null;
            }
            if (secondType != null && !message.has(NOTIFICATION_TYPE)) {
                message.set(NOTIFICATION_TYPE, secondType);
            }
            return message;
        }
    }

    /**
     * A notification id the client names: {@code id}, or its alias {@code notification_id} (the Channels frontend's
     * name), whichever it sent; {@code id} when both.
     */
    static JsonNode notificationId(JsonNode message) {
        JsonNode id = message.path("id");
        return id.isMissingNode() || id.isNull() ? message.path("notification_id") : id;
    }

    /**
     * A text field that a client may send as a string or as an integer ({@code "work_id": 42}, {@code "user_id":
     * 123}: the seeds' ids are numbers), as its decimal string; {@code null} when it is neither.
     */
    static @Nullable String idText(JsonNode node) {
        if (node.isString()) {
            return node.asString();
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        return null;
    }
}
