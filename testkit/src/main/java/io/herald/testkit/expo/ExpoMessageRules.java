package io.herald.testkit.expo;

import io.herald.events.HeraldJson;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Expo's push API refuses in a message. The whole request, with {@code 400 VALIDATION_ERROR}: a field of the
 * wrong type ({@code to} missing, {@code data} or {@code richContent} not an object, {@code title}, {@code
 * body}, {@code subtitle}, {@code channelId}, {@code categoryId} or {@code richContent.image} not a string, {@code
 * badge}, {@code ttl} or {@code expiration} not a number, {@code sound} not a string or object, {@code
 * mutableContent} or {@code _contentAvailable} not a boolean, {@code priority} not {@code default}, {@code normal}
 * or {@code high}). That message's ticket, {@code MessageTooBig}: a message over {@value #MAX_PAYLOAD_BYTES} bytes
 * without its {@code to}. Pure.
 */
final class ExpoMessageRules {

    /** The most a message may carry. */
    static final int MAX_PAYLOAD_BYTES = 4096;

    private static final Set<String> STRINGS =
            Set.of("title", "body", "subtitle", "channelId", "categoryId", "interruptionLevel");
    private static final Set<String> NUMBERS = Set.of("badge", "ttl", "expiration");
    private static final Set<String> BOOLEANS = Set.of("mutableContent", "_contentAvailable");
    private static final Set<String> PRIORITIES = Set.of("default", "normal", "high");

    private ExpoMessageRules() {}

    /** Expo's validation message for the message at {@code index}, or {@code null} when it is valid. */
    static @Nullable String invalid(JsonNode message, int index) {
        if (!message.isObject()) {
            return "\"[" + index + "]\" must be of type object";
        }
        for (Map.Entry<String, JsonNode> field : message.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue;
            }
            String path = "\"[" + index + "]." + name + "\"";
            if (STRINGS.contains(name) && !value.isString()) {
                return path + " must be a string";
            }
            if (NUMBERS.contains(name) && !value.isNumber()) {
                return path + " must be a number";
            }
            if (BOOLEANS.contains(name) && !value.isBoolean()) {
                return path + " must be a boolean";
            }
            if (name.equals("data") && !value.isObject()) {
                return path + " must be of type object";
            }
            if (name.equals("sound") && !value.isString() && !value.isObject()) {
                return path + " must be one of [string, object]";
            }
            if (name.equals("priority") && !(value.isString() && PRIORITIES.contains(value.asString()))) {
                return path + " must be one of [default, normal, high]";
            }
            if (name.equals("richContent")) {
                if (!value.isObject()) {
                    return path + " must be of type object";
                }
                JsonNode image = value.path("image");
                if (!image.isMissingNode() && !image.isNull() && !image.isString()) {
                    return "\"[" + index + "].richContent.image\" must be a string";
                }
            }
        }
        JsonNode to = message.path("to");
        if (!to.isString() && !to.isArray()) {
            return "\"[" + index + "].to\" is required";
        }
        return null;
    }

    /** Whether the message, without its {@code to}, is over {@value #MAX_PAYLOAD_BYTES} bytes. */
    static boolean tooBig(JsonNode message) {
        ObjectNode copy = ((ObjectNode) message).deepCopy();
        copy.remove("to");
        return HeraldJson.mapper().writeValueAsString(copy).getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD_BYTES;
    }
}
