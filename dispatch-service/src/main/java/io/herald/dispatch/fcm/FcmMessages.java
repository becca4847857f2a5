package io.herald.dispatch.fcm;

import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.AndroidNotification;
import com.google.firebase.messaging.ApnsConfig;
import com.google.firebase.messaging.ApnsFcmOptions;
import com.google.firebase.messaging.Aps;
import com.google.firebase.messaging.Message;
import com.google.firebase.messaging.Notification;
import io.herald.dispatch.delivery.PushContent;
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
 * the phone instead of showing twice; an update (whose notification id is the one it updates) replaces the
 * notification it updates. FCM's own {@code collapse_key} stays the event's alone: FCM keeps at most four collapse
 * keys per device, so one per notification would make it drop messages.
 *
 * <p>A notification: {@code notification} (title, body, {@code image}); {@code android.notification} with
 * {@code channel_id}, {@code sound}, {@code tag}, {@code image}, {@code click_action} (the category, for the app's
 * intent filter) and {@code notification_count} (the badge); {@code apns} with {@code apns-push-type: alert}, the
 * priority, and {@code aps} {@code sound}, {@code badge}, {@code category}, {@code mutable-content: 1} with {@code
 * fcm_options.image} when there is an image. A silent push (and every withdrawal) is a data message: no {@code
 * notification} anywhere, {@code apns-push-type: background}, {@code apns-priority: 5} and {@code aps}
 * {@code content-available: 1} alone, as Apple requires of a background push. The data is {@link
 * PushContent#data the delivery's} (the link and actions added).
 */
final class FcmMessages {

    private FcmMessages() {}

    @SuppressWarnings("deprecation") // setToken: the SDK baseline keeps the SDK's one-device call
    static Message of(PushDelivery delivery, Instant now) {
        boolean high = delivery.priority() == Priority.HIGH;
        boolean silent = PushContent.silent(delivery);
        String replaceKey = ReplaceKey.of(delivery);
        String image = PushContent.present(delivery.imageUrl());
        String category = PushContent.present(delivery.category());
        Integer badge = PushContent.badge(delivery);
        var android =
                AndroidConfig.builder().setPriority(high ? AndroidConfig.Priority.HIGH : AndroidConfig.Priority.NORMAL);
        var apns = ApnsConfig.builder().putHeader("apns-collapse-id", replaceKey);
        var aps = Aps.builder();
        var message = Message.builder().setToken(delivery.token()).putAllData(PushContent.data(delivery));
        if (silent) {
            // A background push: Apple throttles or drops one sent at priority 10 or with anything to show.
            apns.putHeader("apns-push-type", "background").putHeader("apns-priority", "5");
            aps.setContentAvailable(true);
        } else {
            var androidNotification = AndroidNotification.builder().setTag(replaceKey);
            if (delivery.androidChannelId() != null) {
                androidNotification.setChannelId(delivery.androidChannelId());
            }
            if (delivery.sound() != null) {
                androidNotification.setSound(delivery.sound());
                aps.setSound(delivery.sound());
            }
            if (image != null) {
                androidNotification.setImage(image);
                // Shown by the app's notification service extension (Firebase's helper reads fcm_options.image).
                aps.setMutableContent(true);
                apns.setFcmOptions(ApnsFcmOptions.builder().setImage(image).build());
            }
            if (category != null) {
                androidNotification.setClickAction(category);
                aps.setCategory(category);
            }
            if (badge != null) {
                androidNotification.setNotificationCount(badge);
                aps.setBadge(badge);
            }
            android.setNotification(androidNotification.build());
            apns.putHeader("apns-push-type", "alert").putHeader("apns-priority", high ? "10" : "5");
            var notification = Notification.builder().setTitle(delivery.title()).setBody(delivery.body());
            if (image != null) {
                notification.setImage(image);
            }
            message.setNotification(notification.build());
        }
        if (delivery.ttlSeconds() != null) {
            android.setTtl(delivery.ttlSeconds() * 1000L);
            apns.putHeader("apns-expiration", Long.toString(now.getEpochSecond() + delivery.ttlSeconds()));
        }
        if (delivery.collapseKey() != null) {
            android.setCollapseKey(delivery.collapseKey());
        }
        apns.setAps(aps.build());
        return message.setAndroidConfig(android.build())
                .setApnsConfig(apns.build())
                .build();
    }
}
