package io.herald.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What became of one delivery: published on {@link Topics#DELIVERY_STATUS}, keyed by event id, by every
 * service that decides or learns an outcome. token-service keeps them as the delivery log.
 *
 * @param eventId the domain event
 * @param schemaVersion the version of this contract
 * @param occurredAt when the outcome happened
 * @param userId the recipient, or {@code null} for an outcome of the whole event
 * @param channel the channel, or {@code null} for an outcome of the whole event
 * @param notificationId the notification, or {@code null}
 * @param deliveryId the push delivery, or {@code null} for in-app and whole-event outcomes
 * @param provider the push provider, or {@code null}
 * @param outcome what happened
 * @param reason why, for skipped, rejected, failed and dead-lettered outcomes; otherwise {@code null}
 * @param service the service that reported it
 */
public record DeliveryStatus(
        UUID eventId,
        int schemaVersion,
        Instant occurredAt,
        @Nullable String userId,
        @Nullable Channel channel,
        @Nullable UUID notificationId,
        @Nullable UUID deliveryId,
        @Nullable Provider provider,
        Outcome outcome,
        @Nullable String reason,
        String service) {

    /** The kinds of outcome. On the wire in snake case, such as {@code "dead_lettered"}. */
    public enum Outcome {
        /** Routing planned this delivery and handed it to the next service. */
        PLANNED,
        /** Routing decided not to deliver (actor's own event, preferences, no devices…); reason says why. */
        SKIPPED,
        /** The provider accepted the push. */
        SENT,
        /** The notification was written to a live socket. */
        DELIVERED,
        /** The provider refused for good (dead token, invalid payload): not retried. */
        REJECTED,
        /** A transient failure; the delivery will be retried. */
        FAILED,
        /** Out of retries, or impossible to process: the record is on a dead-letter topic. */
        DEAD_LETTERED,
        /**
         * Held for later by routing (token-service's log only): the recipient's quiet hours that defer pushes, or a
         * local delivery time; reason says until when.
         */
        DEFERRED,
        /** Absorbed into a digest (token-service's log only); reason names the digest's event id. */
        DIGESTED;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Outcome fromWire(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }
}
