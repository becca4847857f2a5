package io.herald.token.routing;

import io.herald.events.DomainEvent;
import io.herald.token.devices.DeviceStore;
import io.herald.token.preferences.PreferenceStore;
import io.herald.token.preferences.Preferences;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Events with a {@code deliverAtLocal}: each recipient gets the event at that local date and time in their own time
 * zone. The zone is, in this order, the recipient's preferences' {@code timeZone}, the time zone of their most
 * recently seen active device that names one, else UTC. A local time is turned into an instant as {@link
 * ZonedDateTime#of(LocalDateTime, ZoneId)} does: a time in a daylight-saving gap (02:30 on a night that skips from
 * 02:00 to 03:00) is moved later by the gap's length (03:30), a time in an overlap (02:30 on a night that repeats
 * 02:00 to 03:00) is the earlier of its two instants.
 *
 * <p>{@link #split} divides such an event by its recipients' instants: those whose instant is not later than now are
 * routed now (one part, no delivery time), the others are held in {@code token.scheduled_events}, one part per
 * distinct instant (so an event's rows are bounded by the number of distinct offsets among its recipients, whatever
 * its recipients count). The zones are looked up when the event arrives: a user who changes time zone later gets the
 * event at the instant computed then. An event that names topics is left as it is: its recipients are known only
 * when the topics are fanned out, and the chunks of the fan-out come back this way.
 */
@Component
class LocalTimes {

    /**
     * What to do with a poll's events.
     *
     * @param now the events (and parts of events) to route now, none of them with a local delivery time
     * @param later parts of events to hold until their instant
     */
    record Split(List<DomainEvent> now, List<ScheduledEvents.Held> later) {}

    private final PreferenceStore preferences;
    private final DeviceStore devices;

    LocalTimes(PreferenceStore preferences, DeviceStore devices) {
        this.preferences = preferences;
        this.devices = devices;
    }

    /**
     * Splits the events with a local delivery time by their recipients' instants; the others are routed now as they
     * are. Costs nothing for a poll without such events; one query for preferences and one for devices otherwise
     * (per 5,000 recipients).
     */
    Split split(List<DomainEvent> events, Instant now) {
        if (events.stream().noneMatch(LocalTimes::isLocal)) {
            return new Split(events, List.of());
        }
        Set<String> users = new LinkedHashSet<>();
        events.stream().filter(LocalTimes::isLocal).forEach(e -> users.addAll(e.recipients()));
        Map<String, ZoneId> zones = zonesOf(users);
        List<DomainEvent> due = new ArrayList<>(events.size());
        List<ScheduledEvents.Held> later = new ArrayList<>();
        for (DomainEvent event : events) {
            if (isLocal(event)) {
                split(event, zones, now, due, later);
            } else {
                due.add(event);
            }
        }
        return new Split(due, later);
    }

    /** Whether the event has a local delivery time this class divides (not one naming topics: see the class). */
    static boolean isLocal(DomainEvent event) {
        return event.deliverAtLocal() != null && event.topics() == null;
    }

    /** Each user's time zone ({@link #zoneOf}). */
    Map<String, ZoneId> zonesOf(Collection<String> users) {
        Map<String, Preferences> byUser = preferences.ofAll(users);
        List<String> withoutZone = users.stream()
                .filter(u -> zone(byUser.get(u) == null ? null : byUser.get(u).timeZone()) == null)
                .toList();
        Map<String, String> deviceZones = withoutZone.isEmpty() ? Map.of() : devices.timeZonesOf(withoutZone);
        Map<String, ZoneId> zones = new HashMap<>();
        for (String user : users) {
            zones.put(user, zoneOf(byUser.get(user), deviceZones.get(user)));
        }
        return zones;
    }

    /**
     * A recipient's zone: their preferences' {@code timeZone}, else their device's, else UTC. A zone this JVM does not
     * know (a stored value from a newer time-zone database) counts as none.
     */
    static ZoneId zoneOf(@Nullable Preferences preferences, @Nullable String deviceZone) {
        ZoneId own = zone(preferences == null ? null : preferences.timeZone());
        if (own != null) {
            return own;
        }
        ZoneId device = zone(deviceZone);
        return device != null ? device : ZoneOffset.UTC;
    }

    private static @Nullable ZoneId zone(@Nullable String id) {
        if (id == null) {
            return null;
        }
        try {
            return ZoneId.of(id);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The instant of a local date and time in a zone (gaps moved later, overlaps the earlier instant). */
    static Instant instantOf(LocalDateTime local, ZoneId zone) {
        return ZonedDateTime.of(local, zone).toInstant();
    }

    /**
     * Splits one event with a local delivery time: its recipients whose instant is not later than {@code now} into
     * one part in {@code due} (routed now), the others into one part per instant in {@code later}. A recipient
     * without a zone in {@code zones} is in UTC. Recipients keep their order within a part.
     */
    static void split(
            DomainEvent event,
            Map<String, ZoneId> zones,
            Instant now,
            List<DomainEvent> due,
            List<ScheduledEvents.Held> later) {
        LocalDateTime local = event.deliverAtLocal();
        if (local == null) {
            due.add(event);
            return;
        }
        Map<ZoneId, Instant> instants = new HashMap<>();
        List<String> dueNow = new ArrayList<>();
        TreeMap<Instant, List<String>> byInstant = new TreeMap<>();
        for (String user : new LinkedHashSet<>(event.recipients())) {
            ZoneId zone = zones.getOrDefault(user, ZoneOffset.UTC);
            Instant at = instants.computeIfAbsent(zone, z -> instantOf(local, z));
            if (at.isAfter(now)) {
                byInstant.computeIfAbsent(at, i -> new ArrayList<>()).add(user);
            } else {
                dueNow.add(user);
            }
        }
        if (byInstant.isEmpty()) {
            due.add(event.withDeliverAt(null));
            return;
        }
        if (!dueNow.isEmpty()) {
            due.add(event.withRecipients(dueNow).withDeliverAt(null));
        }
        byInstant.forEach((at, users) ->
                later.add(ScheduledEvents.Held.local(event.withRecipients(users).withDeliverAt(at))));
    }
}
