package io.herald.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What an event does to a notification sent before, instead of making a new one: withdraw it (the inbox item is
 * removed, open sockets are told, devices get a silent push that clears it) or update its words in place. The
 * earlier notification is named by the {@link #eventId()} it came from (Herald derives each recipient's
 * notification id from it and the publishing app, see {@link Ids#notificationId(UUID, String, String)}) or by the
 * {@link #collapseKey()} it was sent with; the event's recipients say whose.
 *
 * @param kind {@code withdraw} or {@code update}
 * @param eventId the earlier event of the same app, or {@code null} when {@link #collapseKey()} names it
 * @param collapseKey the earlier notifications' collapse key, or {@code null}; only for {@code withdraw}
 */
public record Change(
        Kind kind, @Nullable UUID eventId, @Nullable String collapseKey) {

    public Change {
        if ((eventId == null) == (collapseKey == null)) {
            throw new IllegalArgumentException("a change names exactly one of eventId and collapseKey");
        }
        if (kind == Kind.UPDATE && eventId == null) {
            throw new IllegalArgumentException("an update names the eventId of the notification it updates");
        }
    }

    /** Withdraw the notifications of an earlier event. */
    public static Change withdraw(UUID eventId) {
        return new Change(Kind.WITHDRAW, eventId, null);
    }

    /** Withdraw the notifications sent with a collapse key. */
    public static Change withdrawCollapseKey(String collapseKey) {
        return new Change(Kind.WITHDRAW, null, collapseKey);
    }

    /** Update the words of an earlier event's notifications. */
    public static Change update(UUID eventId) {
        return new Change(Kind.UPDATE, eventId, null);
    }

    /** What a change does. */
    public enum Kind {
        /** Remove the notification from the inbox, sockets and devices. */
        WITHDRAW,
        /** Replace the notification's title and body where it is. */
        UPDATE;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Kind fromWire(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }
}
