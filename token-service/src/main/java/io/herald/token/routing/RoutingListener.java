package io.herald.token.routing;

import io.herald.events.DomainEvent;
import io.herald.events.Topics;
import io.herald.token.devices.DeviceCache;
import io.herald.token.log.DeliveryLog;
import io.herald.token.preferences.PreferenceStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

/**
 * Routes every domain event once: looks up all recipients' devices and preferences in batches (devices
 * through a cache), records the plan in the delivery log, publishes the in-app notifications and push
 * deliveries, waits until Kafka has them all, and only then records the event as routed (and lets its offset
 * be committed). A crash in between routes it again; downstream ids are derived, so that is harmless.
 */
@Component
class RoutingListener {

    private static final Logger log = LoggerFactory.getLogger(RoutingListener.class);

    private final DeviceCache devices;
    private final PreferenceStore preferences;
    private final RoutedEvents routed;
    private final DeliveryLog deliveryLog;
    private final KafkaTemplate<String, Object> kafka;
    private final RoutingProperties properties;
    private final Router router;
    private final Clock clock;

    RoutingListener(
            DeviceCache devices,
            PreferenceStore preferences,
            RoutedEvents routed,
            DeliveryLog deliveryLog,
            KafkaTemplate<String, Object> kafka,
            RoutingProperties properties,
            TemplateProperties templates,
            Clock clock) {
        this.devices = devices;
        this.preferences = preferences;
        this.routed = routed;
        this.deliveryLog = deliveryLog;
        this.kafka = kafka;
        this.properties = properties;
        this.router = new Router(new Templates(templates.asTemplates()));
        this.clock = clock;
    }

    @KafkaListener(id = "router", topics = Topics.EVENTS)
    void onEvent(DomainEvent event) throws InterruptedException, ExecutionException, TimeoutException {
        if (routed.wasRouted(event.eventId())) {
            log.debug("event {} was routed before; skipped", event.eventId());
            return;
        }
        List<String> recipients = Router.recipients(event);
        Router.Plan plan =
                router.plan(event, devices.activeDevicesOf(recipients), preferences.ofAll(recipients), clock.instant());
        deliveryLog.write(plan.log());
        List<CompletableFuture<SendResult<String, Object>>> sends = new ArrayList<>();
        plan.inApp().forEach(n -> sends.add(kafka.send(Topics.INAPP, n.userId(), n)));
        plan.pushes().forEach(p -> sends.add(kafka.send(Topics.PUSH, p.userId(), p)));
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                .get(properties.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        routed.markRouted(event.eventId());
        log.debug(
                "event {} ({}) routed to {} recipients: {} in-app, {} push",
                event.eventId(),
                event.type(),
                recipients.size(),
                plan.inApp().size(),
                plan.pushes().size());
    }
}
