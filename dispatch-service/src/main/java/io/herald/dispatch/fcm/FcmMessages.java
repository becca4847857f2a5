package io.herald.dispatch.fcm;

import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.AndroidNotification;
import com.google.firebase.messaging.ApnsConfig;
import com.google.firebase.messaging.Aps;
import com.google.firebase.messaging.Message;
import com.google.firebase.messaging.Notification;
import io.herald.dispatch.delivery.ReplaceKey;
import io.herald.events.Priority;
import io.herald.events.PushDelivery;
import java.time.Instant;

/**
 * Builds the FCM HTTP v1 message for one {@link PushDelivery}. Pure.
 *
 * <p>The Android notification's {@code tag} and the APNs {@code apns-collapse-id} are the delivery's {@link
 * ReplaceKey replace key}: its event's collapse key, or else its notification id. A push sent
 * twice (dispatch-service died after sending it and before recording that it had) then replaces the first on
 * the phone instead of showing twice. FCM's own {@code collapse_key} stays the event's alone: FCM keeps at
 * most four collapse keys per device, so one per notification would make it drop messages.
 */
final class FcmMessages {

    private FcmMessages() {}

    @SuppressWarnings("deprecation") // setToken: the SDK baseline keeps the SDK's one-device call
    static Message of(PushDelivery delivery, Instant now) {
        boolean high = delivery.priority() == Priority.HIGH;
        var android =
                AndroidConfig.builder().setPriority(high ? AndroidConfig.Priority.HIGH : AndroidConfig.Priority.NORMAL);
        var androidNotification = AndroidNotification.builder();
        if (delivery.androidChannelId() != null) {
            androidNotification.setChannelId(delivery.androidChannelId());
        }
        if (delivery.sound() != null) {
            androidNotification.setSound(delivery.sound());
        }
        androidNotification.setTag(ReplaceKey.of(delivery));
        android.setNotification(androidNotification.build());
        var apns = ApnsConfig.builder()
                .putHeader("apns-priority", high ? "10" : "5")
                .putHeader("apns-collapse-id", ReplaceKey.of(delivery));
        if (delivery.ttlSeconds() != null) {
            android.setTtl(delivery.ttlSeconds() * 1000L);
            apns.putHeader("apns-expiration", Long.toString(now.getEpochSecond() + delivery.ttlSeconds()));
        }
        if (delivery.collapseKey() != null) {
            android.setCollapseKey(delivery.collapseKey());
        }
        var aps = Aps.builder();
        if (delivery.sound() != null) {
            aps.setSound(delivery.sound());
        }
        apns.setAps(aps.build());
        return Message.builder()
                .setToken(delivery.token())
                .setNotification(Notification.builder()
                        .setTitle(delivery.title())
                        .setBody(delivery.body())
                        .build())
                .putAllData(delivery.data())
                .setAndroidConfig(android.build())
                .setApnsConfig(apns.build())
                .build();
    }
}
