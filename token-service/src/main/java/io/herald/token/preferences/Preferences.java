package io.herald.token.preferences;

import io.herald.events.TextRules;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a user wants to hear about.
 *
 * @param muteAll nothing at all, on any channel
 * @param mutedTypes event types the user never wants
 * @param mutedChannels per event type, the channels ({@code push}, {@code inapp}) the user does not want
 * @param quietHours when push notifications arrive silently (in-app ones still arrive), or {@code null}
 */
public record Preferences(
        boolean muteAll,
        Set<String> mutedTypes,
        Map<String, Set<String>> mutedChannels,
        @Nullable QuietHours quietHours) {

    public static final Preferences DEFAULT = new Preferences(false, Set.of(), Map.of(), null);

    public Preferences {
        mutedTypes = mutedTypes == null ? Set.of() : Set.copyOf(mutedTypes);
        mutedChannels = mutedChannels == null ? Map.of() : Map.copyOf(mutedChannels);
    }

    /**
     * Quiet hours in the user's time zone; {@code start} after {@code end} spans midnight.
     *
     * @param start {@code HH:mm}
     * @param end {@code HH:mm}
     * @param timeZone an IANA zone such as {@code Europe/Paris}
     */
    public record QuietHours(String start, String end, String timeZone) {

        boolean contains(Instant now) {
            LocalTime time = now.atZone(ZoneId.of(timeZone)).toLocalTime();
            LocalTime from = LocalTime.parse(start);
            LocalTime to = LocalTime.parse(end);
            return from.isBefore(to)
                    ? !time.isBefore(from) && time.isBefore(to)
                    : !time.isBefore(from) || time.isBefore(to);
        }
    }

    /** Whether the user wants events of {@code type} on {@code channel} at all. */
    public boolean allows(String type, String channel) {
        if (muteAll || mutedTypes.contains(type)) {
            return false;
        }
        Set<String> muted = mutedChannels.get(type);
        return muted == null || !muted.contains(channel);
    }

    /** Whether push notifications should arrive silently at {@code now}. */
    public boolean quietAt(Instant now) {
        return quietHours != null && quietHours.contains(now);
    }

    private static void textRule(List<String> problems, String field, @Nullable String value) {
        TextRules.Violation violation = TextRules.check(field, value);
        if (violation != null) {
            problems.add(field + ": " + violation.description());
        }
    }

    /** What is wrong with these preferences, field by field; empty when nothing is. */
    List<String> problems() {
        var problems = new ArrayList<String>();
        // Herald's rule for text first: PostgreSQL's jsonb cannot hold a NUL (a 500 otherwise).
        mutedTypes.forEach(type -> textRule(problems, "mutedTypes", type));
        mutedChannels.forEach((type, channels) -> {
            textRule(problems, "mutedChannels", type);
            channels.forEach(channel -> textRule(problems, "mutedChannels", channel));
        });
        if (quietHours != null) {
            textRule(problems, "quietHours.start", quietHours.start());
            textRule(problems, "quietHours.end", quietHours.end());
            textRule(problems, "quietHours.timeZone", quietHours.timeZone());
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        mutedChannels.forEach((type, channels) -> channels.forEach(channel -> {
            if (!channel.equals("push") && !channel.equals("inapp")) {
                problems.add("mutedChannels." + type + ": unknown channel " + channel + " (push or inapp)");
            }
        }));
        if (quietHours != null) {
            for (String time : new String[] {quietHours.start(), quietHours.end()}) {
                try {
                    LocalTime.parse(String.valueOf(time));
                } catch (DateTimeParseException e) {
                    problems.add("quietHours: " + time + " is not a time such as 22:00");
                }
            }
            try {
                ZoneId.of(String.valueOf(quietHours.timeZone()));
            } catch (DateTimeException e) {
                problems.add("quietHours.timeZone: " + quietHours.timeZone() + " is not an IANA time zone");
            }
        }
        if (mutedTypes.size() > 200 || mutedChannels.size() > 200) {
            problems.add("at most 200 muted types");
        }
        return problems;
    }
}
