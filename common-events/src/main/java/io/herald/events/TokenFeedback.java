package io.herald.events;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A provider said a device token is dead (FCM {@code UNREGISTERED}, APNs {@code Unregistered}, Expo {@code
 * DeviceNotRegistered}…). Published by dispatch-service on {@link Topics#TOKEN_FEEDBACK}, keyed by the
 * token; token-service deactivates the token at once.
 *
 * @param eventId the domain event whose delivery surfaced the problem, or {@code null} (an Expo receipt)
 * @param schemaVersion the version of this contract
 * @param occurredAt when the provider answered
 * @param provider the provider that answered
 * @param token the dead token
 * @param reason the provider's error code, such as {@code UNREGISTERED}
 * @param deliveryId the delivery that surfaced it, or {@code null}
 */
public record TokenFeedback(
        @Nullable UUID eventId,
        int schemaVersion,
        Instant occurredAt,
        Provider provider,
        String token,
        String reason,
        @Nullable UUID deliveryId) {}
