package io.herald.token.preferences;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.herald.events.TextRules;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a user wants to hear about.
 *
 * @param muteAll nothing at all, on any channel
 * @param mutedTypes event types the user never wants
 * @param mutedChannels per event type, the channels ({@code push}, {@code inapp}) the user does not want
 * @param quietHours when push notifications arrive silently or wait (in-app ones still arrive), or {@code null}
 * @param timeZone the user's IANA time zone, such as {@code Europe/Paris}, or {@code null}: an event's {@code
 *     deliverAtLocal} is the user's local time in it (else in their most recently seen device's, else UTC)
 */
public record Preferences(
        boolean muteAll,
        Set<String> mutedTypes,
        Map<String, Set<String>> mutedChannels,
        @Nullable QuietHours quietHours,
        @Nullable String timeZone) {

    public static final Preferences DEFAULT = new Preferences(false, Set.of(), Map.of(), null, null);

    public Preferences {
        mutedTypes = mutedTypes == null ? Set.of() : Set.copyOf(mutedTypes);
        mutedChannels = mutedChannels == null ? Map.of() : Map.copyOf(mutedChannels);
    }

    /** Preferences without a time zone of their own (as before {@code timeZone} existed). */
    public Preferences(
            boolean muteAll,
            Set<String> mutedTypes,
            Map<String, Set<String>> mutedChannels,
            @Nullable QuietHours quietHours) {
        this(muteAll, mutedTypes, mutedChannels, quietHours, null);
    }

    /** What happens to a push planned during quiet hours. */
    public enum QuietMode {
        /** It is sent at once, without sound and at normal priority (the default). */
        SILENT,
        /** It waits for the end of the quiet hours, then is sent as usual. */
        DEFER;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        static @Nullable QuietMode fromWire(@Nullable String wire) {
            for (QuietMode mode : values()) {
                if (mode.wireName().equals(wire)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("quietHours.mode: " + wire + " is not silent or defer");
        }
    }

    /**
     * Quiet hours in the user's time zone; {@code start} after {@code end} spans midnight, {@code start} equal to
     * {@code end} is the whole day.
     *
     * @param start {@code HH:mm}
     * @param end {@code HH:mm}
     * @param timeZone an IANA zone such as {@code Europe/Paris}
     * @param mode {@code silent} (the default, when absent) or {@code defer}
     */
    public record QuietHours(String start, String end, String timeZone, QuietMode mode) {

        public QuietHours {
            mode = mode == null ? QuietMode.SILENT : mode;
        }

        /** Silent quiet hours (as before {@code mode} existed). */
        public QuietHours(String start, String end, String timeZone) {
            this(start, end, timeZone, QuietMode.SILENT);
        }

        boolean contains(Instant now) {
            LocalTime time = now.atZone(ZoneId.of(timeZone)).toLocalTime();
            LocalTime from = LocalTime.parse(start);
            LocalTime to = LocalTime.parse(end);
            return from.isBefore(to)
                    ? !time.isBefore(from) && time.isBefore(to)
                    : !time.isBefore(from) || time.isBefore(to);
        }

        /**
         * The first instant after {@code now} at which these quiet hours end, given that {@code now} is within them:
         * the next {@code end} in the zone (today's, or tomorrow's for hours that span midnight and started today).
         * An {@code end} in a daylight-saving gap is moved later by the gap's length, as {@link ZonedDateTime#of}
         * does (02:30 on a night that skips from 02:00 to 03:00 ends at 03:30); in an overlap, it is the earlier of
         * its two instants, or the later one when the earlier has passed. Null when no end is later than {@code
         * now} (start equal to end: the hours never end).
         */
        @Nullable
        Instant endAfter(Instant now) {
            ZoneId zone = ZoneId.of(timeZone);
            LocalTime to = LocalTime.parse(end);
            if (LocalTime.parse(start).equals(to)) {
                return null;
            }
            ZonedDateTime local = now.atZone(zone);
            LocalDate day = local.toLocalTime().isBefore(to)
                    ? local.toLocalDate()
                    : local.toLocalDate().plusDays(1);
            ZonedDateTime ends = ZonedDateTime.of(day, to, zone);
            if (!ends.toInstant().isAfter(now)) {
                ends = ends.withLaterOffsetAtOverlap();
            }
            return ends.toInstant().isAfter(now) ? ends.toInstant() : null;
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

    /** Whether push notifications should arrive silently (or wait, with {@link #deferUntil}) at {@code now}. */
    public boolean quietAt(Instant now) {
        return quietHours != null && quietHours.contains(now);
    }

    /**
     * Until when a push planned at {@code now} waits: the end of the quiet hours ({@link QuietHours#endAfter}) when
     * they defer and {@code now} is within them; null when the push goes now (silently if {@link #quietAt}).
     */
    public @Nullable Instant deferUntil(Instant now) {
        QuietHours quiet = quietHours;
        if (quiet == null || quiet.mode() != QuietMode.DEFER || !quiet.contains(now)) {
            return null;
        }
        return quiet.endAfter(now);
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
        textRule(problems, "timeZone", timeZone);
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
            if (quietHours.mode() == QuietMode.DEFER
                    && String.valueOf(quietHours.start()).equals(quietHours.end())) {
                problems.add("quietHours: start and end are equal (the whole day): with mode defer no push would"
                        + " ever be sent");
            }
        }
        if (timeZone != null) {
            try {
                ZoneId.of(timeZone);
            } catch (DateTimeException e) {
                problems.add("timeZone: " + timeZone + " is not an IANA time zone");
            }
        }
        if (mutedTypes.size() > 200 || mutedChannels.size() > 200) {
            problems.add("at most 200 muted types");
        }
        return problems;
    }
}
