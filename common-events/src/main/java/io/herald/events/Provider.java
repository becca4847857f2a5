package io.herald.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A push provider a device token belongs to. On the wire in lower case: {@code "fcm"}, {@code "expo"}… */
public enum Provider {
    /** Firebase Cloud Messaging (HTTP v1): Android, and iOS through Firebase. */
    FCM,
    /** Expo's push service, for apps built with Expo. */
    EXPO,
    /** Apple Push Notification service, direct. */
    APNS,
    /** The Web Push protocol (RFC 8030) with a browser subscription. */
    WEBPUSH;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Provider fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
