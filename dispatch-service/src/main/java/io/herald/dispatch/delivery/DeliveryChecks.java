package io.herald.dispatch.delivery;

import io.herald.events.PushDelivery;
import io.herald.events.RejectedRecordException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link PushDelivery} must be before anything is sent for it: its ids, user, provider and token
 * present; no negative {@code ttlSeconds}; no NUL or other control character (other than tab, line feed and
 * carriage return) in any string, nor in a data key or value. PostgreSQL refuses a NUL in text and providers
 * refuse or mangle control characters; a record that breaks a rule is dead-lettered at once as {@value
 * #INVALID_DELIVERY}, naming the field (never its content), so it is never half sent. Pure.
 *
 * <p>The character rule is dispatch-service's own copy; when common-events has a shared check for every
 * consumed record, this one should use it.
 */
final class DeliveryChecks {

    /** The dead-letter reason code of a delivery that breaks a rule. */
    static final String INVALID_DELIVERY = "invalid-delivery";

    private DeliveryChecks() {}

    /**
     * @throws RejectedRecordException ({@value #INVALID_DELIVERY}) naming every field that breaks a rule
     */
    static void check(PushDelivery delivery) {
        List<String> missing = new ArrayList<>();
        if (delivery.deliveryId() == null) {
            missing.add("deliveryId");
        }
        if (delivery.eventId() == null) {
            missing.add("eventId");
        }
        if (delivery.userId() == null) {
            missing.add("userId");
        }
        if (delivery.provider() == null) {
            missing.add("provider");
        }
        if (delivery.token() == null || delivery.token().isBlank()) {
            missing.add("token");
        }
        if (!missing.isEmpty()) {
            throw new RejectedRecordException(INVALID_DELIVERY, "a PushDelivery needs " + String.join(", ", missing));
        }
        List<String> problems = new ArrayList<>();
        if (delivery.ttlSeconds() != null && delivery.ttlSeconds() < 0) {
            problems.add("ttlSeconds is negative (" + delivery.ttlSeconds() + ")");
        }
        text(problems, "userId", delivery.userId());
        text(problems, "type", delivery.type());
        text(problems, "token", delivery.token());
        text(problems, "title", delivery.title());
        text(problems, "body", delivery.body());
        text(problems, "collapseKey", delivery.collapseKey());
        text(problems, "androidChannelId", delivery.androidChannelId());
        text(problems, "sound", delivery.sound());
        for (Map.Entry<String, String> entry : delivery.data().entrySet()) {
            int key = controlCharacter(entry.getKey());
            if (key >= 0) {
                problems.add("data key " + printable(entry.getKey()) + " " + describe(entry.getKey(), key));
            }
            int value = controlCharacter(entry.getValue());
            if (value >= 0) {
                // The key is the app's own name, not personal data; the value stays out of the reason.
                problems.add("data[" + printable(entry.getKey()) + "] " + describe(entry.getValue(), value));
            }
        }
        if (!problems.isEmpty()) {
            throw new RejectedRecordException(INVALID_DELIVERY, String.join("; ", problems));
        }
    }

    private static void text(List<String> problems, String field, @Nullable String value) {
        int at = controlCharacter(value);
        if (at >= 0) {
            problems.add(field + " " + describe(value, at));
        }
    }

    private static String describe(String value, int at) {
        return String.format("has the control character U+%04X at index %d", (int) value.charAt(at), at);
    }

    /** The index of the first character not allowed in a delivery's text, or -1. */
    static int controlCharacter(@Nullable String value) {
        if (value == null) {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c <= 0x9f)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code value} with control characters shown as {@code ?}, at most 64 characters (for a reason line). */
    static String printable(String value) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), 64));
        for (int i = 0; i < value.length() && i < 64; i++) {
            char c = value.charAt(i);
            out.append(controlCharacter(String.valueOf(c)) >= 0 ? '?' : c);
        }
        return value.length() > 64 ? out + "…" : out.toString();
    }
}
