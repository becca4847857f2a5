package io.herald.fanout.inbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.UUID;

/**
 * A position in a user's inbox, newest first: the page after it holds notifications created before {@link
 * #createdAt()}, or at that instant with a smaller id. Opaque to clients (URL-safe Base64).
 */
record InboxCursor(Instant createdAt, UUID id) {

    static InboxCursor of(InboxItem item) {
        return new InboxCursor(item.createdAt(), item.id());
    }

    String encode() {
        String plain = createdAt + "|" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a cursor a client sent back.
     *
     * @throws IllegalArgumentException when it is not one this service issued
     */
    static InboxCursor decode(String encoded) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
            int bar = plain.indexOf('|');
            if (bar < 0) {
                throw new IllegalArgumentException("not an inbox cursor");
            }
            return new InboxCursor(Instant.parse(plain.substring(0, bar)), UUID.fromString(plain.substring(bar + 1)));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an inbox cursor", e);
        }
    }
}
