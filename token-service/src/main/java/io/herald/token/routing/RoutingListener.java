package io.herald.token.routing;

import io.herald.events.DomainEvent;
import io.herald.events.Topics;
import io.herald.token.devices.DeviceStore;
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
 * Routes every domain event once: looks up all recipients' devices in one batch, publishes the in-app
 * notifications and push deliveries, waits until Kafka has them all, and only then records the event as
 * routed (and lets its offset be committed). A crash in between routes it again; downstream ids are derived,
 * so that is harmless.
 */
@Component
class RoutingListener {

    private static final Logger log = LoggerFactory.getLogger(RoutingListener.class);

    private final DeviceStore devices;
    private final RoutedEvents routed;
    private final KafkaTemplate<String, Object> kafka;
    private final RoutingProperties properties;

    RoutingListener(
            DeviceStore devices,
            RoutedEvents routed,
            KafkaTemplate<String, Object> kafka,
            RoutingProperties properties) {
        this.devices = devices;
        this.routed = routed;
        this.kafka = kafka;
        this.properties = properties;
    }

    @KafkaListener(id = "router", topics = Topics.EVENTS)
    void onEvent(DomainEvent event) throws InterruptedException, ExecutionException, TimeoutException {
        if (routed.wasRouted(event.eventId())) {
            log.debug("event {} was routed before; skipped", event.eventId());
            return;
        }
        Router.Plan plan = Router.plan(event, devices.activeDevicesOf(Router.recipients(event)));
        List<CompletableFuture<SendResult<String, Object>>> sends = new ArrayList<>();
        plan.inApp().forEach(n -> sends.add(kafka.send(Topics.INAPP, n.userId(), n)));
        plan.pushes().forEach(p -> sends.add(kafka.send(Topics.PUSH, p.userId(), p)));
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                .get(properties.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        routed.markRouted(event.eventId());
        log.debug(
                "event {} ({}) routed: {} in-app, {} push, actor skipped: {}",
                event.eventId(),
                event.type(),
                plan.inApp().size(),
                plan.pushes().size(),
                !plan.skippedActor().isEmpty());
    }
}
