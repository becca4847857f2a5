package io.herald.token.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Frequency caps, {@code herald.token.frequency-caps[*]}: per user, at most {@code max} notifications of some types a
 * window, the rest held back on the rule's channels and logged as {@code skipped} with the reason {@code
 * frequency-cap:<name>}. None by default.
 *
 * @param frequencyCaps {@code frequency-caps}: the rules, each counted on its own; names unique
 */
@ConfigurationProperties("herald.token")
record FrequencyCapProperties(@DefaultValue List<Rule> frequencyCaps) {

    FrequencyCapProperties {
        frequencyCaps = List.copyOf(frequencyCaps);
        Set<String> names = new HashSet<>();
        for (Rule rule : frequencyCaps) {
            if (!names.add(rule.name())) {
                throw new IllegalArgumentException(
                        "herald.token.frequency-caps: two rules are named " + rule.name() + "; names must be unique");
            }
        }
    }

    /**
     * One cap.
     *
     * @param name {@code name}: the cap's name, in the skip's reason ({@code frequency-cap:<name>}) and its count's
     *     key: letters, digits, {@code -}, {@code _}, {@code .}, at most 64
     * @param types {@code types}: the event types it counts, each an exact type or a prefix ending in {@code *}
     *     ({@code recommended_*})
     * @param max {@code max}: notifications a user gets a window on the rule's channels, at least 1
     * @param per {@code per}: the window, a fixed bucket of this length counted from the epoch, UTC ({@code 1d}: a
     *     calendar day, UTC); at least 1s
     * @param channels {@code channels}: what the cap counts and holds back, {@code push} and/or {@code inapp};
     *     {@code push} by default
     */
    record Rule(
            String name,
            List<String> types,
            int max,
            Duration per,
            @DefaultValue("push") List<String> channels) {

        Rule {
            String at = "herald.token.frequency-caps[" + name + "]";
            if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("herald.token.frequency-caps: name must be 1 to 64 letters, digits,"
                        + " '-', '_' or '.', not " + name);
            }
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
            if (max < 1) {
                throw new IllegalArgumentException(at + ".max must be at least 1, not " + max);
            }
            if (per == null || per.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException(at + ".per must be at least 1s, not " + per);
            }
            if (channels == null || channels.isEmpty()) {
                throw new IllegalArgumentException(at + ".channels: push and/or inapp");
            }
            for (String channel : channels) {
                if (!"push".equals(channel) && !"inapp".equals(channel)) {
                    throw new IllegalArgumentException(
                            at + ".channels: unknown channel " + channel + " (push or inapp)");
                }
            }
            types = List.copyOf(types);
            channels = List.copyOf(new LinkedHashSet<>(channels));
        }

        /** Whether the rule counts events of {@code type}: equal to one of its types, or starting with a prefix*. */
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

        /**
         * The window {@code at} falls in, named by its start in milliseconds since the epoch: windows are fixed
         * buckets of {@link #per()} counted from the epoch (UTC), so every instance agrees on them.
         */
        long bucket(Instant at) {
            long per = this.per.toMillis();
            return Math.floorDiv(at.toEpochMilli(), per) * per;
        }
    }
}
