package io.herald.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The platform a device runs. On the wire: {@code "android"}, {@code "ios"} or {@code "web"}. */
public enum Platform {
    ANDROID,
    IOS,
    WEB;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Platform fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
