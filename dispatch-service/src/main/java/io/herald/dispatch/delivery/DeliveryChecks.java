package io.herald.dispatch.delivery;

import io.herald.events.PushDelivery;
import io.herald.events.RejectedRecordException;
import io.herald.events.TextRules;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link PushDelivery} must be before anything is sent for it: its ids, user, provider and token
 * present and no negative {@code ttlSeconds} (else dead-lettered at once as {@value #INVALID_DELIVERY}); and its
 * strings within Herald's rule for text ({@link TextRules}: dead-lettered as {@value TextRules#CODE}). The reason
 * names the field, never its content, and the record is never half sent. Pure.
 */
final class DeliveryChecks {

    /** The dead-letter reason code of a delivery that breaks a rule. */
    static final String INVALID_DELIVERY = "invalid-delivery";

    private DeliveryChecks() {}

    /**
     * @throws RejectedRecordException ({@value #INVALID_DELIVERY}) naming every field that breaks a rule
     */
    static void check(PushDelivery delivery) {
        List<String> missing = new ArrayList<>();
        if (delivery.deliveryId() == null) {
            missing.add("deliveryId");
        }
        if (delivery.eventId() == null) {
            missing.add("eventId");
        }
        if (delivery.userId() == null) {
            missing.add("userId");
        }
        if (delivery.provider() == null) {
            missing.add("provider");
        }
        if (delivery.token() == null || delivery.token().isBlank()) {
            missing.add("token");
        }
        if (!missing.isEmpty()) {
            throw new RejectedRecordException(INVALID_DELIVERY, "a PushDelivery needs " + String.join(", ", missing));
        }
        if (delivery.ttlSeconds() != null && delivery.ttlSeconds() < 0) {
            throw new RejectedRecordException(
                    INVALID_DELIVERY, "ttlSeconds is negative (" + delivery.ttlSeconds() + ")");
        }
        TextRules.Violation violation = TextRules.check(delivery);
        if (violation != null) {
            throw TextRules.rejection("a push delivery", violation);
        }
    }
}
