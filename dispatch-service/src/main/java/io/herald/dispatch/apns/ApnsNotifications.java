package io.herald.dispatch.apns;

import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.util.SimpleApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import io.herald.dispatch.delivery.PushContent;
import io.herald.dispatch.delivery.ReplaceKey;
import io.herald.events.Priority;
import io.herald.events.PushDelivery;
import java.time.Instant;

/**
 * Builds the APNs notification for one {@link PushDelivery} with Pushy's {@link SimpleApnsPayloadBuilder}. Pure.
 *
 * <p>A notification: push type {@code alert}, priority 10 ({@code high}) or 5; {@code aps} with the alert's title
 * and body, {@code sound}, {@code badge}, {@code category} (the category whose actions the app registered), and
 * {@code mutable-content: 1} when there is an image, whose URL is the custom key {@value #IMAGE_KEY} for the app's
 * notification service extension (APNs has no image field). A silent push (and every withdrawal) is a background
 * push: push type {@code background}, priority 5, {@code aps} {@code content-available: 1} alone, as Apple requires.
 * The data ({@link PushContent#data the delivery's}, the link and actions added) are custom keys beside {@code aps};
 * {@code apns-collapse-id} is the {@link ReplaceKey replace key} (the notification's request identifier on the
 * phone, by which the app removes it on a withdrawal).
 */
final class ApnsNotifications {

    /** The custom key of an image's URL. */
    static final String IMAGE_KEY = "herald.imageUrl";

    private ApnsNotifications() {}

    static SimpleApnsPushNotification of(PushDelivery delivery, String topic, Instant now) {
        boolean silent = PushContent.silent(delivery);
        var payload = new SimpleApnsPayloadBuilder();
        PushType pushType;
        DeliveryPriority priority;
        if (silent) {
            payload.setContentAvailable(true);
            pushType = PushType.BACKGROUND;
            priority = DeliveryPriority.CONSERVE_POWER;
        } else {
            payload.setAlertTitle(delivery.title()).setAlertBody(delivery.body());
            if (delivery.sound() != null) {
                payload.setSound(delivery.sound());
            }
            Integer badge = PushContent.badge(delivery);
            if (badge != null) {
                payload.setBadgeNumber(badge);
            }
            String category = PushContent.present(delivery.category());
            if (category != null) {
                payload.setCategoryName(category);
            }
            String image = PushContent.present(delivery.imageUrl());
            if (image != null) {
                payload.setMutableContent(true);
                payload.addCustomProperty(IMAGE_KEY, image);
            }
            pushType = PushType.ALERT;
            priority =
                    delivery.priority() == Priority.HIGH ? DeliveryPriority.IMMEDIATE : DeliveryPriority.CONSERVE_POWER;
        }
        PushContent.data(delivery).forEach(payload::addCustomProperty);
        Instant expiration = delivery.ttlSeconds() == null
                ? now.plus(SimpleApnsPushNotification.DEFAULT_EXPIRATION_PERIOD)
                : now.plusSeconds(delivery.ttlSeconds());
        return new SimpleApnsPushNotification(
                delivery.token(),
                topic,
                payload.build(),
                expiration,
                priority,
                pushType,
                // A repeat (sent again after a crash) or an update replaces the first instead of showing twice.
                ReplaceKey.of(delivery));
    }
}
