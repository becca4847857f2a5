package io.herald.dispatch.delivery;

import io.herald.events.PushDelivery;

/**
 * The key under which a push replaces an earlier one on the phone: FCM's Android notification {@code tag} and
 * APNs' {@code apns-collapse-id}. Dispatch-service sends at least once — an instance that dies after a send and
 * before recording it leaves the send to be made again — so a repeat must replace the first rather than show
 * twice.
 */
public final class ReplaceKey {

    private ReplaceKey() {}

    /**
     * The event's own collapse key when it has one (its notifications are meant to replace each other), else
     * the notification id (every device of a user gets the same notification id for one event, so a repeat
     * replaces only itself); the delivery id for a record without a notification id.
     */
    public static String of(PushDelivery delivery) {
        if (delivery.collapseKey() != null && !delivery.collapseKey().isEmpty()) {
            return delivery.collapseKey();
        }
        return String.valueOf(delivery.notificationId() != null ? delivery.notificationId() : delivery.deliveryId());
    }
}
