package io.herald.token.routing;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Digests, {@code herald.token.digests[*]} and {@code herald.token.digest.*}: events of a rule's types are absorbed
 * into a window per app, recipient and key, and the recipient gets one notification when it closes ({@link Digests},
 * {@link DigestPoller}). None by default.
 *
 * @param digests {@code digests}: the rules; names unique; an event takes the first rule that matches its type
 * @param digest {@code digest}: how the closed windows are looked for
 */
@ConfigurationProperties("herald.token")
record DigestProperties(
        @DefaultValue List<Rule> digests, @DefaultValue Polling digest) {

    /** The most parts a rule's key may name. */
    static final int MAX_KEY_PARTS = 8;

    DigestProperties {
        digests = List.copyOf(digests);
        Set<String> names = new HashSet<>();
        for (Rule rule : digests) {
            if (!names.add(rule.name())) {
                throw new IllegalArgumentException(
                        "herald.token.digests: two rules are named " + rule.name() + "; names must be unique");
            }
        }
    }

    /**
     * The poller of closed windows.
     *
     * @param pollInterval {@code poll-interval}: how often each instance looks for closed windows; a digest goes out
     *     at most this much after its window closes, plus the time to route the digests closed before it
     * @param batchSize {@code batch-size}: closed windows one instance claims and routes in one transaction; a full
     *     batch is followed at once by the next
     */
    record Polling(
            @DefaultValue("1s") Duration pollInterval,
            @DefaultValue("500") int batchSize) {

        Polling {
            if (pollInterval == null || !pollInterval.isPositive()) {
                throw new IllegalArgumentException(
                        "herald.token.digest.poll-interval must be positive, not " + pollInterval);
            }
            if (batchSize < 1 || batchSize > 10_000) {
                throw new IllegalArgumentException(
                        "herald.token.digest.batch-size must be between 1 and 10000, not " + batchSize);
            }
        }
    }

    /**
     * One digest rule.
     *
     * @param name {@code name}: the rule's name, in the digest's data ({@code herald.digest}) and its windows' key:
     *     lower-case letters, digits, {@code -} and {@code _}, at most 64
     * @param types {@code types}: the event types it absorbs, each an exact type or a prefix ending in {@code *}
     * @param window {@code window}: how long a window stays open after the event that opened it; more than zero, at
     *     most 7 days
     * @param key {@code key}: what, besides the app and the recipient (always part of it), tells windows apart:
     *     {@code object.id}, {@code actor.id}, {@code data.<name>}; none by default (one window per app, recipient
     *     and rule)
     * @param title {@code title}: the digest's title, with {@code {count}}, {@code {actors}} and the templates'
     *     placeholders (filled from the window's last event)
     * @param body {@code body}: the digest's body, likewise
     */
    record Rule(
            String name,
            List<String> types,
            Duration window,
            @DefaultValue List<String> key,
            String title,
            String body) {

        Rule {
            if (name == null || !name.matches("[a-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("herald.token.digests: name must be 1 to 64 lower-case letters,"
                        + " digits, '-' or '_', not " + name);
            }
            String at = "herald.token.digests[" + name + "]";
            if (types == null || types.isEmpty()) {
                throw new IllegalArgumentException(at + ".types: at least one type or prefix* is required");
            }
            for (String type : types) {
                if (type == null
                        || type.isBlank()
                        || (type.indexOf('*') >= 0 && type.indexOf('*') != type.length() - 1)) {
                    throw new IllegalArgumentException(
                            at + ".types: " + type + " is neither a type nor a prefix ending in a single *");
                }
            }
            if (window == null || !window.isPositive() || window.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException(at + ".window must be more than 0 and at most 7d, not " + window);
            }
            key = key == null ? List.of() : List.copyOf(key);
            if (key.size() > MAX_KEY_PARTS) {
                throw new IllegalArgumentException(at + ".key: at most " + MAX_KEY_PARTS + " parts");
            }
            for (String part : key) {
                if (part == null
                        || !(part.equals("object.id")
                                || part.equals("actor.id")
                                || part.matches("data\\.[A-Za-z0-9_.-]{1,128}"))) {
                    throw new IllegalArgumentException(
                            at + ".key: " + part + " is none of object.id, actor.id, data.<name>");
                }
            }
            if (title == null || title.isBlank()) {
                throw new IllegalArgumentException(at + ".title is required");
            }
            if (body == null || body.isBlank()) {
                throw new IllegalArgumentException(at + ".body is required");
            }
            types = List.copyOf(types);
        }

        /** Whether the rule absorbs events of {@code type}: equal to one of its types, or starting with a prefix*. */
        boolean matches(String type) {
            for (String pattern : types) {
                if (pattern.endsWith("*")
                        ? type.startsWith(pattern.substring(0, pattern.length() - 1))
                        : type.equals(pattern)) {
                    return true;
                }
            }
            return false;
        }
    }
}
