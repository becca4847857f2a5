package io.herald.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The ways Herald reaches a person. On the wire: {@code "push"} or {@code "inapp"}. */
public enum Channel {
    /** A push notification through FCM, Expo, APNs or web push, for when the app is closed. */
    PUSH,
    /** A live WebSocket message plus an inbox entry, for when the app is open. */
    INAPP;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Channel fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
