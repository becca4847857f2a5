package io.herald.dispatch.delivery;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The {@code eventId} parameters of {@code GET /internal/v1/deliveries}: at least one, at most {@value #MAX}, each a
 * UUID. Pure.
 */
final class EventIdParameters {

    /** The most {@code eventId} parameters one call may carry. */
    static final int MAX = 100;

    /** A parameter list that breaks a rule; the message says which, for the problem's {@code detail}. */
    static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private EventIdParameters() {}

    /**
     * The event ids, each once, in the order given.
     *
     * @throws Invalid when there is none, more than {@value #MAX}, or one is not a UUID
     */
    static Set<UUID> parse(@Nullable List<String> values) {
        if (values == null || values.isEmpty()) {
            throw new Invalid("eventId is required: one or more eventId parameters, each an event id (a UUID)");
        }
        if (values.size() > MAX) {
            throw new Invalid("at most " + MAX + " eventId parameters per call; " + values.size() + " given");
        }
        Set<UUID> ids = new LinkedHashSet<>();
        for (String value : values) {
            ids.add(uuid(value));
        }
        return ids;
    }

    private static UUID uuid(String value) {
        String trimmed = value.strip();
        // UUID.fromString takes shortened groups ("1-1-1-1-1"); an id is always written in full.
        if (trimmed.length() != 36) {
            throw new Invalid("eventId must be a UUID (8-4-4-4-12 hex digits)");
        }
        try {
            return UUID.fromString(trimmed);
        } catch (IllegalArgumentException e) {
            throw new Invalid("eventId must be a UUID (8-4-4-4-12 hex digits)");
        }
    }
}
