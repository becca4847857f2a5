package io.herald.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The number an app icon shows: a count the upstream app chose, or {@code unread}, the recipient's unread count in
 * the Herald inbox when the push is sent. On the wire a JSON number ({@code 3}) or the string {@code "unread"}.
 *
 * @param count the number to show, when not {@link #unread()}; 0 clears the badge
 * @param unread whether the number is the recipient's unread count, resolved by dispatch-service
 */
public record Badge(int count, boolean unread) {

    /** The recipient's unread count. */
    public static final Badge UNREAD = new Badge(0, true);

    /** The most a badge may show (APNs takes any integer; iOS shows up to this many digits sensibly). */
    public static final int MAX_COUNT = 999_999;

    public Badge {
        if (count < 0 || count > MAX_COUNT) {
            throw new IllegalArgumentException("badge must be from 0 to " + MAX_COUNT + " or \"unread\"");
        }
    }

    /** A fixed count. */
    public static Badge of(int count) {
        return new Badge(count, false);
    }

    /** Reads the wire form: a number or {@code "unread"}. */
    @JsonCreator
    public static Badge fromWire(Object value) {
        if (value instanceof Number n && n.doubleValue() == n.intValue()) {
            return of(n.intValue());
        }
        if ("unread".equals(value)) {
            return UNREAD;
        }
        throw new IllegalArgumentException("badge must be a whole number or \"unread\"");
    }

    /** The wire form: the count, or {@code "unread"}. */
    @JsonValue
    public Object wire() {
        return unread ? "unread" : count;
    }
}
