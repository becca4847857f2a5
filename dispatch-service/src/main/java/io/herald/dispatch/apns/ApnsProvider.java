package io.herald.dispatch.apns;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import io.herald.dispatch.delivery.PushProvider;
import io.herald.dispatch.delivery.ReplaceKey;
import io.herald.dispatch.delivery.SendOutcome;
import io.herald.dispatch.delivery.UndeliverableException;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import java.io.File;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * APNs directly, with Pushy and token-based ({@code .p8}) authentication, for apps that do not go through FCM:
 * one long-lived, asynchronous client. Apple's answers become outcomes: accepted; {@code BadDeviceToken},
 * {@code Unregistered}, {@code DeviceTokenNotForTopic} a dead token; {@code TooManyRequests}, 5xx and I/O
 * failures transient; anything else permanent. Every notification carries an {@code apns-collapse-id} (see
 * {@link ReplaceKey}); {@link ApnsNotifications} says how each field of a delivery is sent.
 */
@Component
class ApnsProvider implements PushProvider, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ApnsProvider.class);
    private static final Set<String> DEAD_TOKEN =
            Set.of("BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic", "ExpiredToken");
    private static final Set<String> TRANSIENT =
            Set.of("TooManyRequests", "InternalServerError", "ServiceUnavailable", "Shutdown", "IdleTimeout");

    private final @Nullable ApnsClient client;
    private final @Nullable String topic;
    private final Clock clock;

    ApnsProvider(ApnsProperties properties, Clock clock) {
        this.clock = clock;
        this.topic = properties.topic();
        ApnsClient built = null;
        if (properties.signingKeyPath() == null || properties.signingKeyPath().isBlank()) {
            log.warn("APNs is off: no herald.dispatch.apns.signing-key-path; APNs deliveries will be dead-lettered"
                    + " with reason provider-disabled");
        } else {
            try {
                var builder = new ApnsClientBuilder()
                        .setApnsServer(properties.host(), properties.port())
                        .setConcurrentConnections(Math.max(1, properties.connections()))
                        .setSigningKey(ApnsSigningKey.loadFromPkcs8File(
                                new File(properties.signingKeyPath()), properties.teamId(), properties.keyId()));
                if (properties.trustedServerCertificatePath() != null
                        && !properties.trustedServerCertificatePath().isBlank()) {
                    builder.setTrustedServerCertificateChain(new File(properties.trustedServerCertificatePath()));
                }
                built = builder.build();
                log.info("APNs deliveries go to {}:{}", properties.host(), properties.port());
            } catch (Exception e) {
                log.warn(
                        "APNs is off: the signing key could not be used ({}); APNs deliveries will be dead-lettered",
                        e.toString());
            }
        }
        this.client = built;
    }

    @Override
    public Provider provider() {
        return Provider.APNS;
    }

    @Override
    public CompletableFuture<SendOutcome> send(PushDelivery delivery) {
        ApnsClient apns = client;
        if (apns == null || topic == null) {
            throw new UndeliverableException("provider-disabled", "APNs is not configured (herald.dispatch.apns.*)");
        }
        var notification = ApnsNotifications.of(delivery, topic, clock.instant());
        CompletableFuture<SendOutcome> outcome = new CompletableFuture<>();
        apns.sendNotification(notification).whenComplete((response, failure) -> {
            if (failure != null) {
                outcome.complete(new SendOutcome.Failed("IO", String.valueOf(failure.getMessage()), null));
            } else if (response.isAccepted()) {
                outcome.complete(new SendOutcome.Accepted(response.getApnsId().toString()));
            } else {
                String reason = response.getRejectionReason().orElse("HTTP_" + response.getStatusCode());
                outcome.complete(
                        DEAD_TOKEN.contains(reason)
                                ? new SendOutcome.Rejected(reason, "APNs: " + reason, true)
                                : TRANSIENT.contains(reason) || response.getStatusCode() >= 500
                                        ? new SendOutcome.Failed(reason, "APNs: " + reason, null)
                                        : new SendOutcome.Rejected(reason, "APNs: " + reason, false));
            }
        });
        return outcome;
    }

    @Override
    public void destroy() {
        if (client != null) {
            client.close();
        }
    }
}
