package io.herald.token.routing;

import io.herald.events.Action;
import io.herald.events.Badge;
import io.herald.events.Change;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Decides, for one event, who hears about it, on which channels and devices, with what words, and records for
 * the delivery log every recipient or channel it skips, with the reason (what it sends is logged where it arrives:
 * dispatch-service's record of sends, the inbox). Pure: no I/O, so it is unit-tested without Spring, Kafka or a database.
 *
 * <p>Data: the app's {@code data} goes to every notification as the app sent it; Herald adds {@code type} (the event
 * type), {@code object_id} ({@code object.id}) and {@code link} only where the app did not set them, and always its
 * own ids as {@code herald.eventId} and {@code herald.notificationId} (and, for a change, {@code herald.change}, plus
 * {@code herald.collapseKey} for a withdrawal by collapse key).
 *
 * <p>Quiet hours: a push that falls in the recipient's quiet hours is still sent, silently (no sound,
 * normal priority); the in-app notification arrives as usual. With quiet hours that defer ({@code mode: defer}) the
 * push is not planned: the plan carries a {@link Deferral} until the end of the quiet hours (the caller holds it and
 * routes it then), and the log a {@code deferred} entry per device, keyed by the delivery id the push will have, so
 * that dispatch-service's record of its send replaces it. A silent event's push is deferred likewise; a withdrawal's
 * never is (it only takes away).
 *
 * <p>A silent event makes one data-only push per device and no inbox item, and needs no template. A change names an
 * earlier notification: a withdrawal makes, per recipient, an inbox withdrawal and a silent push per device naming the
 * earlier notification (or the collapse key), needs no template and ignores preferences (it only takes away); an
 * update is planned like a new notification, with new words, under the earlier notification's id.
 */
final class Router {

    /** FCM's limit for a message's notification and data. */
    static final int MAX_PUSH_PAYLOAD_BYTES = 4096;

    /** Herald's own data keys: named so that no app's key collides with them. */
    static final String EVENT_ID_KEY = "herald.eventId";

    static final String NOTIFICATION_ID_KEY = "herald.notificationId";
    static final String CHANGE_KEY = "herald.change";
    static final String COLLAPSE_KEY_KEY = "herald.collapseKey";

    /**
     * What routing one event produces.
     *
     * @param deferred the pushes held until the end of their recipients' quiet hours, not in {@code pushes}
     */
    record Plan(
            List<InAppNotification> inApp,
            List<PushDelivery> pushes,
            List<DeliveryLog.Entry> log,
            List<Deferral> deferred) {

        Plan(List<InAppNotification> inApp, List<PushDelivery> pushes, List<DeliveryLog.Entry> log) {
            this(inApp, pushes, log, new ArrayList<>());
        }
    }

    /**
     * A recipient's pushes held until their quiet hours end.
     *
     * @param pushes the pushes as they would have been sent now (what they say, their delivery ids); they are planned
     *     again when due
     */
    record Deferral(String userId, Instant until, List<PushDelivery> pushes) {}

    /** The reason of a deferred push's log entry. */
    static final String DEFERRED_REASON = "quiet-hours: until ";

    /**
     * One recipient of the event being planned.
     *
     * @param ownId the notification id the event itself gives the recipient: delivery-log entries name it, so that
     *     they are the event's app's
     */
    private record Recipient(
            String user,
            Preferences preferences,
            List<ActiveDevice> devices,
            @Nullable String locale,
            UUID ownId) {}

    /** What a push says and how, apart from its device. */
    private record Content(
            UUID notificationId,
            String title,
            String body,
            Map<String, String> data,
            Priority priority,
            @Nullable String collapseKey,
            @Nullable String androidChannel,
            @Nullable String sound,
            @Nullable String imageUrl,
            @Nullable List<Action> actions,
            @Nullable String category,
            @Nullable Badge badge,
            boolean silent,
            Change.@Nullable Kind change,
            boolean inApp) {}

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
        var plan = new Plan(inApp, pushes, log);
        for (String user : recipients(event)) {
            List<ActiveDevice> devices = devicesByUser.getOrDefault(user, List.of());
            var recipient = new Recipient(
                    user,
                    preferencesByUser.getOrDefault(user, Preferences.DEFAULT),
                    devices,
                    devices.stream()
                            .map(ActiveDevice::locale)
                            .filter(l -> l != null)
                            .findFirst()
                            .orElse(null),
                    // Scoped by the publishing app: another app's event under the same id gets other ids (see Ids).
                    Ids.notificationId(eventId, event.source(), user));
            Change change = event.change();
            if (change != null && change.kind() == Change.Kind.WITHDRAW) {
                planWithdrawal(event, change, recipient, now, plan);
            } else if (change != null) {
                UUID earlier = Objects.requireNonNull(change.eventId(), "an update names an event");
                planNotification(event, Ids.notificationId(earlier, event.source(), user), recipient, now, plan);
            } else if (event.silent()) {
                planSilent(event, recipient, now, plan);
            } else {
                planNotification(event, recipient.ownId(), recipient, now, plan);
            }
        }
        return plan;
    }

    /** A new notification under {@code notificationId}, or an update of the earlier one of that id. */
    private void planNotification(DomainEvent event, UUID notificationId, Recipient recipient, Instant now, Plan plan) {
        UUID eventId = event.eventId();
        String user = recipient.user();
        // A skipped entry is keyed by the notification id, so that two apps' entries for one id stay apart.
        String skipKey = recipient.ownId().toString();
        boolean update = event.change() != null;
        Optional<Templates.Rendered> maybe = templates.render(event, recipient.locale());
        if (maybe.isEmpty()) {
            plan.log()
                    .add(entry(
                            eventId,
                            user,
                            "all",
                            recipient.ownId(),
                            skipKey,
                            null,
                            Outcome.SKIPPED,
                            "no-template: type " + event.type() + " has no template and the "
                                    + (update ? "update" : "event") + " no title or body",
                            now));
            return;
        }
        Templates.Rendered rendered = maybe.get();
        Map<String, String> data = data(event, notificationId);
        if (update) {
            data.put(CHANGE_KEY, Change.Kind.UPDATE.wireName());
        }
        Change.Kind kind = update ? Change.Kind.UPDATE : null;
        boolean inbox = false;
        if (event.wants(Channel.INAPP)) {
            if (recipient.preferences().allows(event.type(), "inapp")) {
                inbox = true;
                plan.inApp()
                        .add(new InAppNotification(
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
                                event.object(),
                                event.source(),
                                event.link(),
                                event.imageUrl(),
                                event.collapseKey(),
                                kind));
            } else {
                plan.log().add(inAppEntry(event, recipient, Outcome.SKIPPED, "muted by preferences", now));
            }
        }
        if (!event.wants(Channel.PUSH)) {
            return;
        }
        if (!recipient.preferences().allows(event.type(), "push")) {
            plan.log().add(skippedPush(event, recipient, "muted by preferences", now));
            return;
        }
        Instant until = recipient.preferences().deferUntil(now);
        boolean quiet = until == null && recipient.preferences().quietAt(now);
        List<Action> actions = event.actions() == null || event.actions().isEmpty() ? null : event.actions();
        var content = new Content(
                notificationId,
                rendered.title(),
                rendered.body(),
                data,
                quiet ? Priority.NORMAL : rendered.priority(),
                event.collapseKey(),
                rendered.androidChannelId(),
                quiet ? null : rendered.sound(),
                event.imageUrl(),
                actions,
                event.category() != null ? event.category() : actions == null ? null : event.type(),
                rendered.badge(),
                false,
                kind,
                inbox);
        planPushes(event, recipient, content, until, now, plan);
    }

    /** A data-only push to each device, nothing in the inbox, no words needed. */
    private void planSilent(DomainEvent event, Recipient recipient, Instant now, Plan plan) {
        if (event.wants(Channel.INAPP)) {
            plan.log()
                    .add(inAppEntry(event, recipient, Outcome.SKIPPED, "silent: a data-only push, no inbox item", now));
        }
        if (!event.wants(Channel.PUSH)) {
            return;
        }
        if (!recipient.preferences().allows(event.type(), "push")) {
            plan.log().add(skippedPush(event, recipient, "muted by preferences", now));
            return;
        }
        Instant until = recipient.preferences().deferUntil(now);
        boolean quiet = until == null && recipient.preferences().quietAt(now);
        var content = new Content(
                recipient.ownId(),
                "",
                "",
                data(event, recipient.ownId()),
                quiet || event.priority() == null ? Priority.NORMAL : event.priority(),
                event.collapseKey(),
                null,
                null,
                null,
                null,
                null,
                event.badge(),
                true,
                null,
                false);
        planPushes(event, recipient, content, until, now, plan);
    }

    /**
     * Takes an earlier notification back: from the inbox (by id, or every item of the app with the collapse key) and
     * from each device, by a silent push naming it. Preferences are not asked: a withdrawal only takes away.
     */
    private void planWithdrawal(DomainEvent event, Change change, Recipient recipient, Instant now, Plan plan) {
        UUID eventId = event.eventId();
        String user = recipient.user();
        String byKey = change.collapseKey();
        UUID target = byKey != null
                ? recipient.ownId()
                : Ids.notificationId(Objects.requireNonNull(change.eventId()), event.source(), user);
        Map<String, String> data = data(event, target);
        data.put(CHANGE_KEY, Change.Kind.WITHDRAW.wireName());
        if (byKey != null) {
            data.put(COLLAPSE_KEY_KEY, byKey);
        }
        if (event.wants(Channel.INAPP)) {
            plan.inApp()
                    .add(new InAppNotification(
                            target,
                            eventId,
                            DomainEvent.SCHEMA_VERSION,
                            event.occurredAt(),
                            user,
                            event.type(),
                            "",
                            "",
                            data,
                            event.actor(),
                            event.object(),
                            event.source(),
                            null,
                            null,
                            byKey,
                            Change.Kind.WITHDRAW));
        }
        if (!event.wants(Channel.PUSH)) {
            return;
        }
        var content = new Content(
                target,
                "",
                "",
                data,
                event.priority() == null ? Priority.NORMAL : event.priority(),
                byKey != null ? byKey : event.collapseKey(),
                null,
                null,
                null,
                null,
                null,
                event.badge(),
                true,
                Change.Kind.WITHDRAW,
                false);
        planPushes(event, recipient, content, null, now, plan);
    }

    /**
     * One push per device of the recipient, or one skipped entry saying why there is none. A push planned writes no
     * entry: dispatch-service's record of its send is its entry ({@code DeliveryLog}). With {@code until}, the pushes
     * are deferred instead: a {@link Deferral} and a {@code deferred} entry per device, under the push's delivery id.
     */
    private static void planPushes(
            DomainEvent event, Recipient recipient, Content content, @Nullable Instant until, Instant now, Plan plan) {
        if (recipient.devices().isEmpty()) {
            plan.log().add(skippedPush(event, recipient, "no-active-devices", now));
            return;
        }
        if (payloadBytes(content) > MAX_PUSH_PAYLOAD_BYTES) {
            plan.log()
                    .add(skippedPush(
                            event,
                            recipient,
                            "payload-too-large: title, body and data exceed " + MAX_PUSH_PAYLOAD_BYTES + " bytes",
                            now));
            return;
        }
        UUID eventId = event.eventId();
        String user = recipient.user();
        List<PushDelivery> pushes = until == null ? plan.pushes() : new ArrayList<>();
        for (ActiveDevice device : recipient.devices()) {
            UUID deliveryId = Ids.deliveryId(eventId, event.source(), user, device.token());
            pushes.add(new PushDelivery(
                    deliveryId,
                    content.notificationId(),
                    eventId,
                    DomainEvent.SCHEMA_VERSION,
                    event.occurredAt(),
                    user,
                    event.type(),
                    device.provider(),
                    device.token(),
                    device.platform(),
                    content.title(),
                    content.body(),
                    content.data(),
                    content.priority(),
                    event.ttlSeconds(),
                    content.collapseKey(),
                    content.androidChannel(),
                    content.sound(),
                    content.imageUrl(),
                    event.link(),
                    content.actions(),
                    content.category(),
                    content.badge(),
                    content.silent(),
                    content.change(),
                    content.inApp()));
            if (until != null) {
                plan.log()
                        .add(entry(
                                eventId,
                                user,
                                "push",
                                recipient.ownId(),
                                deliveryId.toString(),
                                device.provider().wireName(),
                                Outcome.DEFERRED,
                                DEFERRED_REASON + until,
                                now));
            }
        }
        if (until != null) {
            plan.deferred().add(new Deferral(user, until, pushes));
        }
    }

    /**
     * The data a notification carries: the app's as sent, {@code type}, {@code object_id} and {@code link} where the
     * app set none, and Herald's ids under its own names.
     */
    private static Map<String, String> data(DomainEvent event, UUID notificationId) {
        Map<String, String> data = new LinkedHashMap<>(event.data());
        data.putIfAbsent("type", event.type());
        if (event.object() != null) {
            data.putIfAbsent("object_id", event.object().id());
        }
        if (event.link() != null) {
            data.putIfAbsent("link", event.link());
        }
        data.put(EVENT_ID_KEY, event.eventId().toString());
        data.put(NOTIFICATION_ID_KEY, notificationId.toString());
        return data;
    }

    /** The inbox's entry for one recipient, keyed (as every entry without a device) by the notification id. */
    private static DeliveryLog.Entry inAppEntry(
            DomainEvent event, Recipient recipient, Outcome outcome, @Nullable String reason, Instant now) {
        return entry(
                event.eventId(),
                recipient.user(),
                "inapp",
                recipient.ownId(),
                recipient.ownId().toString(),
                null,
                outcome,
                reason,
                now);
    }

    private static DeliveryLog.Entry skippedPush(DomainEvent event, Recipient recipient, String reason, Instant now) {
        return entry(
                event.eventId(),
                recipient.user(),
                "push",
                recipient.ownId(),
                recipient.ownId().toString(),
                null,
                Outcome.SKIPPED,
                reason,
                now);
    }

    /** What a push carries that counts towards FCM's limit: its words, image, buttons and data, as JSON. */
    private static int payloadBytes(Content content) {
        Map<String, Object> notification = new LinkedHashMap<>();
        notification.put("title", content.title());
        notification.put("body", content.body());
        if (content.imageUrl() != null) {
            notification.put("image", content.imageUrl());
        }
        if (content.actions() != null) {
            notification.put("actions", content.actions());
        }
        if (content.category() != null) {
            notification.put("click_action", content.category());
        }
        return HeraldJson.mapper()
                .writeValueAsBytes(Map.of("notification", notification, "data", content.data()))
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
