package io.herald.dispatch.delivery;

import io.herald.events.DeliveryStatus.Outcome;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Sends each push delivery to its provider once. Accepted: logged as sent (a redelivered record is then
 * skipped). Rejected with a dead token: token feedback, never retried. Rejected otherwise or impossible:
 * {@link UndeliverableException}, straight to the dead-letter topic. Failed: {@link
 * TransientDeliveryException}, retried with backoff by the container, then dead-lettered. Every outcome is
 * published as a delivery status.
 */
@Component
class DeliveryListener {

    private static final Logger log = LoggerFactory.getLogger(DeliveryListener.class);

    private final Map<Provider, PushProvider> providers = new EnumMap<>(Provider.class);
    private final DeliveryLog deliveries;
    private final StatusPublisher statuses;
    private final DispatchProperties properties;
    private final MeterRegistry meters;
    private final ProviderRateLimits rateLimits;

    DeliveryListener(
            List<PushProvider> providers,
            DeliveryLog deliveries,
            StatusPublisher statuses,
            DispatchProperties properties,
            MeterRegistry meters,
            ProviderRateLimits rateLimits) {
        this.meters = meters;
        this.rateLimits = rateLimits;
        providers.forEach(p -> this.providers.put(p.provider(), p));
        this.deliveries = deliveries;
        this.statuses = statuses;
        this.properties = properties;
    }

    @KafkaListener(id = "dispatcher", topics = Topics.PUSH)
    void onDelivery(PushDelivery delivery) throws InterruptedException {
        if (deliveries.alreadySent(delivery.deliveryId())) {
            log.debug("delivery {} was sent before; skipped", delivery.deliveryId());
            return;
        }
        PushProvider provider = providers.get(delivery.provider());
        if (provider == null) {
            throw new UndeliverableException(
                    "provider-not-implemented", "no " + delivery.provider() + " client in this version of Herald");
        }
        SendOutcome outcome;
        String providerName = delivery.provider().name().toLowerCase(java.util.Locale.ROOT);
        rateLimits.acquire(delivery.provider());
        Timer.Sample sample = Timer.start(meters);
        try {
            outcome = provider.send(delivery).get(properties.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            outcome = new SendOutcome.Failed("TIMEOUT", String.valueOf(e.getMessage()), null);
        }
        sample.stop(meters.timer("herald.dispatch.provider.latency", "provider", providerName));
        String result = switch (outcome) {
            case SendOutcome.Accepted a -> "sent";
            case SendOutcome.Rejected r -> "rejected";
            case SendOutcome.Failed f -> "failed";
        };
        meters.counter("herald.dispatch.deliveries", "provider", providerName, "outcome", result)
                .increment();
        switch (outcome) {
            case SendOutcome.Accepted accepted -> {
                deliveries.record(delivery, DeliveryLog.SENT, accepted.providerMessageId(), null);
                statuses.status(delivery, Outcome.SENT, null);
            }
            case SendOutcome.Rejected rejected -> {
                deliveries.record(delivery, "rejected", null, rejected.code());
                statuses.status(delivery, Outcome.REJECTED, rejected.code() + ": " + rejected.reason());
                if (rejected.tokenDead()) {
                    statuses.deadToken(delivery, rejected.code());
                    log.debug("delivery {}: token dead ({})", delivery.deliveryId(), rejected.code());
                } else {
                    throw new UndeliverableException(
                            rejected.code().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), rejected.reason());
                }
            }
            case SendOutcome.Failed failed -> {
                deliveries.record(delivery, "failed", null, failed.code());
                statuses.status(delivery, Outcome.FAILED, failed.code() + ": " + failed.reason());
                throw new TransientDeliveryException(failed.code(), failed.reason(), failed.retryAfter());
            }
        }
    }
}
