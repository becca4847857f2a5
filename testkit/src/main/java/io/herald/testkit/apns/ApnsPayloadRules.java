package io.herald.testkit.apns;

import com.eatthepath.pushy.apns.server.RejectionReason;
import io.herald.events.HeraldJson;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What APNs refuses in a notification's headers and payload, with the reason Apple gives: an empty payload ({@code
 * PayloadEmpty}); a payload over {@value #MAX_PAYLOAD_BYTES} bytes ({@value #MAX_VOIP_PAYLOAD_BYTES} for VoIP:
 * {@code PayloadTooLarge}); an {@code apns-priority} other than 1, 5 or 10, a background push (push type {@code
 * background}, or an {@code aps} with {@code content-available} and nothing to show) at priority 10 ({@code
 * BadPriority}); an unknown {@code apns-push-type}, or a background push type whose {@code aps} has no {@code
 * content-available: 1} ({@code InvalidPushType}); an {@code apns-collapse-id} over 64 bytes ({@code
 * BadCollapseId}); a payload that is not a JSON object with an {@code aps} dictionary ({@code PayloadEmpty}). Pure.
 */
final class ApnsPayloadRules {

    static final int MAX_PAYLOAD_BYTES = 4096;
    static final int MAX_VOIP_PAYLOAD_BYTES = 5120;
    static final int MAX_COLLAPSE_ID_BYTES = 64;

    private static final Set<String> PUSH_TYPES = Set.of(
            "alert",
            "background",
            "location",
            "voip",
            "complication",
            "fileprovider",
            "mdm",
            "liveactivity",
            "pushtotalk",
            "widgets",
            "controls");

    private ApnsPayloadRules() {}

    /** The reason APNs would refuse this notification with, or {@code null} when it would take it. */
    static @Nullable RejectionReason check(
            @Nullable String pushType, @Nullable String priority, @Nullable String collapseId, byte[] payload) {
        if (payload.length == 0) {
            return RejectionReason.PAYLOAD_EMPTY;
        }
        int max = "voip".equals(pushType) ? MAX_VOIP_PAYLOAD_BYTES : MAX_PAYLOAD_BYTES;
        if (payload.length > max) {
            return RejectionReason.PAYLOAD_TOO_LARGE;
        }
        if (pushType != null && !PUSH_TYPES.contains(pushType)) {
            return RejectionReason.INVALID_PUSH_TYPE;
        }
        if (priority != null && !Set.of("1", "5", "10").contains(priority)) {
            return RejectionReason.BAD_PRIORITY;
        }
        if (collapseId != null && collapseId.getBytes(StandardCharsets.UTF_8).length > MAX_COLLAPSE_ID_BYTES) {
            return RejectionReason.BAD_COLLAPSE_ID;
        }
        JsonNode aps;
        try {
            aps = HeraldJson.mapper().readTree(payload).path("aps");
        } catch (RuntimeException e) {
            return RejectionReason.PAYLOAD_EMPTY;
        }
        if (!aps.isObject()) {
            return RejectionReason.PAYLOAD_EMPTY;
        }
        boolean contentAvailable = aps.path("content-available").asInt(0) == 1;
        boolean showsSomething = aps.has("alert") || aps.has("sound") || aps.has("badge");
        boolean highPriority = priority == null || priority.equals("10");
        if ("background".equals(pushType)) {
            if (!contentAvailable) {
                return RejectionReason.INVALID_PUSH_TYPE;
            }
            if (highPriority) {
                return RejectionReason.BAD_PRIORITY;
            }
        } else if (contentAvailable && !showsSomething && "10".equals(priority)) {
            return RejectionReason.BAD_PRIORITY;
        }
        return null;
    }
}
