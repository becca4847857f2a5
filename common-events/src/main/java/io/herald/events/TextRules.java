package io.herald.events;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Herald's one rule for text, applied wherever text enters: no string in a record on Herald's topics ({@link
 * DomainEvent}, {@link InAppNotification}, {@link PushDelivery}, {@link DeliveryStatus}, {@link TokenFeedback}:
 * every string field, map keys and values included), in a user id (a JWT subject) or in a device or preference
 * document may contain
 *
 * <ul>
 *   <li>a C0 control character other than tab, line feed and carriage return (U+0000–U+0008, U+000B, U+000C,
 *       U+000E–U+001F),
 *   <li>DEL (U+007F),
 *   <li>or an unpaired UTF-16 surrogate (U+D800–U+DFFF not part of a pair: not a character at all).
 * </ul>
 *
 * <p>Why one rule, refused at the door: PostgreSQL's {@code text} cannot hold U+0000 and its {@code jsonb} no
 * escaped NUL, FCM and APNs have their own ideas about control characters, and an event half-accepted — pushed and
 * shown live but refused by the inbox — leaves the channels disagreeing. So such text is refused where it enters
 * (the gateway answers 400 naming the field; a consumer dead-letters the record with {@value #CODE}) rather than
 * stripped, which would change a user id or a token silently. The {@code DomainEvent} JSON Schema says the same
 * with {@link #SCHEMA_PATTERN} on its strings. Stateless and thread-safe.
 */
public final class TextRules {

    /** The reason code of a record refused by this rule, in {@code herald-dlt-reason-code}. */
    public static final String CODE = RejectedRecordException.INVALID_CHARACTERS;

    /** The rule in words, for reasons and problem details. */
    public static final String RULE = "strings may not contain control characters (U+0000–U+001F other than tab,"
            + " line feed and carriage return, or U+007F) or unpaired surrogates";

    /**
     * The rule's control characters as an ECMA-262 / {@code java.util.regex} pattern that a whole string must match,
     * as the {@code DomainEvent} schema uses it. Unpaired surrogates are left out of it: a regex engine without
     * Unicode mode would see every emoji as two of them.
     */
    public static final String SCHEMA_PATTERN = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$";

    private TextRules() {}

    /**
     * Where a string breaks the rule.
     *
     * @param field where the string is, as a path such as {@code title}, {@code recipients[2]} or {@code
     *     data.productId}; for a map key, the map's path (the key itself is not repeated: it holds the character)
     * @param key whether the offending string is a key of the map at {@code field}
     * @param index the UTF-16 index of the first offending character in the string
     * @param character the offending UTF-16 code unit
     */
    public record Violation(String field, boolean key, int index, char character) {

        /** One line naming the field, the character (as {@code U+0000}, never the character itself) and the rule. */
        public String message() {
            return (key ? "a key of " + field : field) + " " + description();
        }

        /** The message without the field: {@code contains U+0000 at index 3: strings may not…}. */
        public String description() {
            return "contains " + describe(character) + " at index " + index + ": " + RULE;
        }

        private static String describe(char c) {
            String code = String.format(Locale.ROOT, "U+%04X", (int) c);
            return Character.isSurrogate(c) ? "an unpaired surrogate (" + code + ")" : code;
        }
    }

    /** Whether {@code c} is one of the rule's control characters (a surrogate is judged with its neighbour). */
    public static boolean isForbiddenControl(char c) {
        return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
    }

    /** The index of the first character of {@code text} the rule forbids, or -1 when there is none. */
    public static int firstForbidden(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                if (isForbiddenControl(c)) {
                    return i;
                }
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code text} keeps the rule. */
    public static boolean isAllowed(String text) {
        return firstForbidden(text) < 0;
    }

    /** Where {@code value}, found at {@code field}, breaks the rule; null when it keeps it or is null. */
    public static @Nullable Violation check(String field, @Nullable String value) {
        if (value == null) {
            return null;
        }
        int at = firstForbidden(value);
        return at < 0 ? null : new Violation(field, false, at, value.charAt(at));
    }

    /**
     * The first string of a parsed JSON document that breaks the rule — every string value and every object key,
     * at any depth — or null. Used on a {@code DomainEvent} before its schema is checked, so that such an event is
     * refused with {@value #CODE} naming the field rather than as a pattern mismatch.
     */
    public static @Nullable Violation check(JsonNode tree) {
        return walk(tree, "");
    }

    private static @Nullable Violation walk(JsonNode node, String path) {
        if (node.isString()) {
            return check(path.isEmpty() ? "$" : path, node.asString());
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Violation v = walk(node.get(i), path + "[" + i + "]");
                if (v != null) {
                    return v;
                }
            }
            return null;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                int at = firstForbidden(property.getKey());
                if (at >= 0) {
                    return new Violation(
                            path.isEmpty() ? "$" : path,
                            true,
                            at,
                            property.getKey().charAt(at));
                }
                Violation v =
                        walk(property.getValue(), path.isEmpty() ? property.getKey() : path + "." + property.getKey());
                if (v != null) {
                    return v;
                }
            }
        }
        return null;
    }

    /** The first string field of {@code event} that breaks the rule, or null. */
    public static @Nullable Violation check(DomainEvent event) {
        return new Fields()
                .text("type", event.type())
                .text("source", event.source())
                .actor("actor", event.actor())
                .list("recipients", event.recipients())
                .object("object", event.object())
                .map("data", event.data())
                .text("title", event.title())
                .text("body", event.body())
                .text("collapseKey", event.collapseKey())
                .text("imageUrl", event.imageUrl())
                .text("link", event.link())
                .actions("actions", event.actions())
                .text("category", event.category())
                .text("sound", event.sound())
                .text(
                        "change.collapseKey",
                        event.change() == null ? null : event.change().collapseKey())
                .first;
    }

    /** The first string field of {@code notification} that breaks the rule, or null. */
    public static @Nullable Violation check(InAppNotification notification) {
        return new Fields()
                .text("userId", notification.userId())
                .text("type", notification.type())
                .text("title", notification.title())
                .text("body", notification.body())
                .map("data", notification.data())
                .actor("actor", notification.actor())
                .object("object", notification.object())
                .text("source", notification.source())
                .text("link", notification.link())
                .text("imageUrl", notification.imageUrl())
                .text("collapseKey", notification.collapseKey())
                .first;
    }

    /** The first string field of {@code delivery} that breaks the rule, or null. */
    public static @Nullable Violation check(PushDelivery delivery) {
        return new Fields()
                .text("userId", delivery.userId())
                .text("type", delivery.type())
                .text("token", delivery.token())
                .text("title", delivery.title())
                .text("body", delivery.body())
                .map("data", delivery.data())
                .text("collapseKey", delivery.collapseKey())
                .text("androidChannelId", delivery.androidChannelId())
                .text("sound", delivery.sound())
                .text("imageUrl", delivery.imageUrl())
                .text("link", delivery.link())
                .actions("actions", delivery.actions())
                .text("category", delivery.category())
                .first;
    }

    /** The first string field of {@code status} that breaks the rule, or null. */
    public static @Nullable Violation check(DeliveryStatus status) {
        return new Fields()
                .text("userId", status.userId())
                .text("reason", status.reason())
                .text("service", status.service())
                .first;
    }

    /** The first string field of {@code feedback} that breaks the rule, or null. */
    public static @Nullable Violation check(TokenFeedback feedback) {
        return new Fields().text("token", feedback.token()).text("reason", feedback.reason()).first;
    }

    /**
     * Whether the JSON text {@code json} may hold a string that breaks the rule: only an escape can put a control
     * character or a lone surrogate into a JSON string ({@code \\u…}, or {@code \\b} and {@code \\f} for backspace
     * and form feed; raw ones are not JSON), and DEL may stand raw. A fast scan, so that a reader parses a record
     * twice only when it has to; {@code false} means no string of it breaks the rule.
     */
    public static boolean mayBreakRule(byte[] json) {
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (b == 0x7F) {
                return true;
            }
            if (b == '\\' && i + 1 < json.length) {
                byte escaped = json[i + 1];
                if (escaped == 'u' || escaped == 'b' || escaped == 'f') {
                    return true;
                }
            }
            if (b == '\\') {
                i++; // another escape: skip its character, which may be a backslash
            }
        }
        return false;
    }

    /** What a consumer throws at a record that breaks the rule: permanent, dead-lettered with {@value #CODE}. */
    public static RejectedRecordException rejection(String what, Violation violation) {
        return new RejectedRecordException(CODE, what + ": " + violation.message());
    }

    /** Collects the first violation among fields, in the order they are named. */
    private static final class Fields {

        private @Nullable Violation first;

        Fields text(String field, @Nullable String value) {
            if (first == null) {
                first = check(field, value);
            }
            return this;
        }

        Fields list(String field, @Nullable List<String> values) {
            if (values != null) {
                for (int i = 0; i < values.size() && first == null; i++) {
                    text(field + "[" + i + "]", values.get(i));
                }
            }
            return this;
        }

        Fields map(String field, @Nullable Map<String, String> values) {
            if (values != null) {
                for (Map.Entry<String, String> entry : values.entrySet()) {
                    if (first != null) {
                        break;
                    }
                    String key = entry.getKey();
                    int at = key == null ? -1 : firstForbidden(key);
                    if (at >= 0) {
                        first = new Violation(field, true, at, key.charAt(at));
                    } else {
                        text(field + "." + key, entry.getValue());
                    }
                }
            }
            return this;
        }

        Fields actions(String field, @Nullable List<Action> actions) {
            if (actions != null) {
                for (int i = 0; i < actions.size() && first == null; i++) {
                    Action action = actions.get(i);
                    text(field + "[" + i + "].id", action.id()).text(field + "[" + i + "].title", action.title());
                }
            }
            return this;
        }

        Fields actor(String field, DomainEvent.@Nullable Actor actor) {
            return actor == null
                    ? this
                    : text(field + ".id", actor.id()).text(field + ".displayName", actor.displayName());
        }

        Fields object(String field, DomainEvent.@Nullable EventObject object) {
            return object == null
                    ? this
                    : text(field + ".id", object.id())
                            .text(field + ".kind", object.kind())
                            .text(field + ".title", object.title());
        }
    }
}
