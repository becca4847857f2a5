package io.herald.testkit.fcm;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What FCM's HTTP v1 API refuses in a message's rich fields, with {@code 400 INVALID_ARGUMENT}: a data key FCM
 * reserves ({@code from}, {@code notification}, {@code message_type}, anything starting with {@code google} or
 * {@code gcm}, in {@code data} or {@code android.data}); an image that is not an {@code https} URL ({@code
 * notification.image}, {@code android.notification.image}, {@code apns.fcm_options.image}); a payload over
 * {@value #MAX_PAYLOAD_BYTES} bytes (the data's keys and values and the notification's words, as FCM counts them).
 * Pure.
 */
final class FcmMessageRules {

    /** The most a message's payload may carry. */
    static final int MAX_PAYLOAD_BYTES = 4096;

    /** A broken rule: the field, and the message FCM answers with. */
    record Violation(String field, String message) {}

    private FcmMessageRules() {}

    static @Nullable Violation check(JsonNode message) {
        for (String field : new String[] {"data", "android.data"}) {
            JsonNode data = at(message, field);
            if (data.isObject()) {
                for (Map.Entry<String, JsonNode> entry : data.properties()) {
                    if (reserved(entry.getKey())) {
                        return new Violation("message." + field, "Invalid data payload key: " + entry.getKey());
                    }
                }
            }
        }
        for (String field :
                new String[] {"notification.image", "android.notification.image", "apns.fcm_options.image"}) {
            JsonNode image = at(message, field);
            if (!image.isMissingNode()
                    && !(image.isString()
                            && image.asString().toLowerCase(Locale.ROOT).startsWith("https://"))) {
                return new Violation(
                        "message." + field,
                        "Invalid value at 'message." + field + "': the image URL must be an https URL");
            }
        }
        if (payloadBytes(message) > MAX_PAYLOAD_BYTES) {
            return new Violation("message", "Android message is too big");
        }
        return null;
    }

    /** FCM's rule for data keys. */
    static boolean reserved(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.equals("from")
                || lower.equals("notification")
                || lower.equals("message_type")
                || lower.startsWith("google")
                || lower.startsWith("gcm");
    }

    /** The data's keys and values, and the notification's and the Android notification's title and body. */
    static int payloadBytes(JsonNode message) {
        int bytes = 0;
        for (String field : new String[] {"data", "android.data"}) {
            JsonNode data = at(message, field);
            if (data.isObject()) {
                for (Map.Entry<String, JsonNode> entry : data.properties()) {
                    bytes += utf8(entry.getKey()) + utf8(entry.getValue().asString(""));
                }
            }
        }
        for (String field : new String[] {"notification", "android.notification"}) {
            JsonNode notification = at(message, field);
            bytes += utf8(notification.path("title").asString(""))
                    + utf8(notification.path("body").asString(""));
        }
        return bytes;
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static JsonNode at(JsonNode node, String dotted) {
        JsonNode at = node;
        int from = 0;
        while (true) {
            int dot = dotted.indexOf('.', from);
            at = at.path(dot < 0 ? dotted.substring(from) : dotted.substring(from, dot));
            if (dot < 0) {
                return at;
            }
            from = dot + 1;
        }
    }
}
