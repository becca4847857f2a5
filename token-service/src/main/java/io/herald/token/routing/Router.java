package io.herald.token.routing;

import io.herald.events.Channel;
import io.herald.events.DeliveryStatus.Outcome;
import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.Priority;
import io.herald.events.PushDelivery;
import io.herald.token.devices.ActiveDevice;
import io.herald.token.log.DeliveryLog;
import io.herald.token.preferences.Preferences;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Decides, for one event, who hears about it, on which channels and devices, with what words, and records
 * every decision for the delivery log. Pure: no I/O, so it is unit-tested without Spring, Kafka or a database.
 *
 * <p>Quiet hours: a push that falls in the recipient's quiet hours is still sent, silently (no sound,
 * normal priority); the in-app notification arrives as usual.
 */
final class Router {

    /** FCM's limit for a message's notification and data. */
    static final int MAX_PUSH_PAYLOAD_BYTES = 4096;

    /** What routing one event produces. */
    record Plan(List<InAppNotification> inApp, List<PushDelivery> pushes, List<DeliveryLog.Entry> log) {}

    private final Templates templates;

    Router(Templates templates) {
        this.templates = templates;
    }

    /** The distinct recipients other than the actor, in the order given. */
    static List<String> recipients(DomainEvent event) {
        Set<String> distinct = new LinkedHashSet<>(event.recipients());
        if (event.actor() != null) {
            distinct.remove(event.actor().id());
        }
        return List.copyOf(distinct);
    }

    Plan plan(
            DomainEvent event,
            Map<String, List<ActiveDevice>> devicesByUser,
            Map<String, Preferences> preferencesByUser,
            Instant now) {
        List<InAppNotification> inApp = new ArrayList<>();
        List<PushDelivery> pushes = new ArrayList<>();
        List<DeliveryLog.Entry> log = new ArrayList<>();
        UUID eventId = event.eventId();
        if (event.actor() != null && event.recipients().contains(event.actor().id())) {
            String actor = event.actor().id();
            UUID notificationId = Ids.notificationId(eventId, event.source(), actor);
            log.add(entry(
                    eventId,
                    actor,
                    "all",
                    notificationId,
                    notificationId.toString(),
                    null,
                    Outcome.SKIPPED,
                    "actor: no notification of one's own action",
                    now));
        }
        for (String user : recipients(event)) {
            Preferences preferences = preferencesByUser.getOrDefault(user, Preferences.DEFAULT);
            List<ActiveDevice> devices = devicesByUser.getOrDefault(user, List.of());
            String locale = devices.stream()
                    .map(ActiveDevice::locale)
                    .filter(l -> l != null)
                    .findFirst()
                    .orElse(null);
            // Scoped by the publishing app: another app's event under the same id gets other ids (see Ids).
            UUID notificationId = Ids.notificationId(eventId, event.source(), user);
            // A skipped entry is keyed by the notification id, so that two apps' entries for one id stay apart.
            String skipKey = notificationId.toString();
            Optional<Templates.Rendered> maybe = templates.render(event, locale);
            if (maybe.isEmpty()) {
                log.add(entry(
                        eventId,
                        user,
                        "all",
                        notificationId,
                        skipKey,
                        null,
                        Outcome.SKIPPED,
                        "no-template: type " + event.type() + " has no template and the event no title or body",
                        now));
                continue;
            }
            Templates.Rendered rendered = maybe.get();
            Map<String, String> data = new HashMap<>(event.data());
            data.put("type", event.type());
            data.put("eventId", eventId.toString());
            data.put("notificationId", notificationId.toString());
            if (event.wants(Channel.INAPP)) {
                if (preferences.allows(event.type(), "inapp")) {
                    inApp.add(new InAppNotification(
                            notificationId,
                            eventId,
                            DomainEvent.SCHEMA_VERSION,
                            event.occurredAt(),
                            user,
                            event.type(),
                            rendered.title(),
                            rendered.body(),
                            data,
                            event.actor(),
                            event.object()));
                    log.add(entry(
                            eventId,
                            user,
                            "inapp",
                            notificationId,
                            notificationId.toString(),
                            null,
                            Outcome.PLANNED,
                            null,
                            now));
                } else {
                    log.add(entry(
                            eventId,
                            user,
                            "inapp",
                            notificationId,
                            skipKey,
                            null,
                            Outcome.SKIPPED,
                            "muted by preferences",
                            now));
                }
            }
            if (event.wants(Channel.PUSH)) {
                String skip = null;
                if (!preferences.allows(event.type(), "push")) {
                    skip = "muted by preferences";
                } else if (devices.isEmpty()) {
                    skip = "no-active-devices";
                } else if (payloadBytes(rendered, data) > MAX_PUSH_PAYLOAD_BYTES) {
                    skip = "payload-too-large: title, body and data exceed " + MAX_PUSH_PAYLOAD_BYTES + " bytes";
                }
                if (skip != null) {
                    log.add(entry(eventId, user, "push", notificationId, skipKey, null, Outcome.SKIPPED, skip, now));
                    continue;
                }
                boolean quiet = preferences.quietAt(now);
                for (ActiveDevice device : devices) {
                    UUID deliveryId = Ids.deliveryId(eventId, event.source(), user, device.token());
                    pushes.add(new PushDelivery(
                            deliveryId,
                            notificationId,
                            eventId,
                            DomainEvent.SCHEMA_VERSION,
                            event.occurredAt(),
                            user,
                            event.type(),
                            device.provider(),
                            device.token(),
                            device.platform(),
                            rendered.title(),
                            rendered.body(),
                            data,
                            quiet ? Priority.NORMAL : rendered.priority(),
                            event.ttlSeconds(),
                            event.collapseKey(),
                            rendered.androidChannelId(),
                            quiet ? null : rendered.sound()));
                    log.add(entry(
                            eventId,
                            user,
                            "push",
                            notificationId,
                            deliveryId.toString(),
                            device.provider().name().toLowerCase(Locale.ROOT),
                            Outcome.PLANNED,
                            quiet ? "quiet hours: sent silently" : null,
                            now));
                }
            }
        }
        return new Plan(inApp, pushes, log);
    }

    private static int payloadBytes(Templates.Rendered rendered, Map<String, String> data) {
        return HeraldJson.mapper()
                .writeValueAsBytes(Map.of(
                        "notification", Map.of("title", rendered.title(), "body", rendered.body()), "data", data))
                .length;
    }

    private static DeliveryLog.Entry entry(
            UUID eventId,
            String user,
            String channel,
            UUID notificationId,
            String key,
            @Nullable String provider,
            Outcome outcome,
            @Nullable String reason,
            Instant at) {
        return new DeliveryLog.Entry(eventId, user, channel, key, provider, outcome, reason, at, notificationId);
    }
}
