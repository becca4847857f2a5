package io.herald.dispatch.fcm;

import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.AndroidNotification;
import com.google.firebase.messaging.ApnsConfig;
import com.google.firebase.messaging.Aps;
import com.google.firebase.messaging.Message;
import com.google.firebase.messaging.Notification;
import io.herald.events.Priority;
import io.herald.events.PushDelivery;
import java.time.Instant;

/** Builds the FCM HTTP v1 message for one {@link PushDelivery}. Pure. */
final class FcmMessages {

    private FcmMessages() {}

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
        android.setNotification(androidNotification.build());
        var apns = ApnsConfig.builder().putHeader("apns-priority", high ? "10" : "5");
        if (delivery.ttlSeconds() != null) {
            android.setTtl(delivery.ttlSeconds() * 1000L);
            apns.putHeader("apns-expiration", Long.toString(now.getEpochSecond() + delivery.ttlSeconds()));
        }
        if (delivery.collapseKey() != null) {
            android.setCollapseKey(delivery.collapseKey());
            apns.putHeader("apns-collapse-id", delivery.collapseKey());
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
