package io.herald.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How urgently a notification should reach the device. On the wire: {@code "high"} or {@code "normal"}. */
public enum Priority {
    /** Wake the device now: chat messages, work assignments, booking changes. */
    HIGH,
    /** May be batched by the OS to save battery: likes, recommendations. */
    NORMAL;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Priority fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
