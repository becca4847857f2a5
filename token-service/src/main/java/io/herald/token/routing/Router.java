package io.herald.token.routing;

import io.herald.events.Channel;
import io.herald.events.DomainEvent;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.PushDelivery;
import io.herald.token.devices.ActiveDevice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Decides, for one event, who hears about it and on which devices. Pure: no I/O, so it is unit-tested
 * without Spring, Kafka or a database.
 */
final class Router {

    /** What routing one event produces. */
    record Plan(List<InAppNotification> inApp, List<PushDelivery> pushes, List<String> skippedActor) {}

    private Router() {}

    /** The distinct recipients other than the actor, in the order given. */
    static List<String> recipients(DomainEvent event) {
        Set<String> distinct = new LinkedHashSet<>(event.recipients());
        if (event.actor() != null) {
            distinct.remove(event.actor().id());
        }
        return List.copyOf(distinct);
    }

    static Plan plan(DomainEvent event, Map<String, List<ActiveDevice>> devicesByUser) {
        Templates.Rendered rendered = Templates.render(event);
        List<InAppNotification> inApp = new ArrayList<>();
        List<PushDelivery> pushes = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        if (event.actor() != null && event.recipients().contains(event.actor().id())) {
            skipped.add(event.actor().id());
        }
        for (String user : recipients(event)) {
            UUID notificationId = Ids.notificationId(event.eventId(), user);
            Map<String, String> data = new HashMap<>(event.data());
            data.put("type", event.type());
            data.put("eventId", event.eventId().toString());
            data.put("notificationId", notificationId.toString());
            if (event.wants(Channel.INAPP)) {
                inApp.add(new InAppNotification(
                        notificationId,
                        event.eventId(),
                        DomainEvent.SCHEMA_VERSION,
                        event.occurredAt(),
                        user,
                        event.type(),
                        rendered.title(),
                        rendered.body(),
                        data,
                        event.actor(),
                        event.object()));
            }
            if (event.wants(Channel.PUSH)) {
                for (ActiveDevice device : devicesByUser.getOrDefault(user, List.of())) {
                    pushes.add(new PushDelivery(
                            Ids.deliveryId(event.eventId(), user, device.token()),
                            notificationId,
                            event.eventId(),
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
                            rendered.priority(),
                            event.ttlSeconds(),
                            event.collapseKey(),
                            rendered.androidChannelId(),
                            rendered.sound()));
                }
            }
        }
        return new Plan(inApp, pushes, skipped);
    }
}
