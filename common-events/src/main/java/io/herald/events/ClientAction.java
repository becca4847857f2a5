package io.herald.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Something a user did in the app and sent back over the socket, such as accepting a work assignment.
 * Published by ws-fanout-service on {@link Topics#CLIENT_ACTIONS}, keyed by user id, for upstream apps.
 *
 * @param eventId this action's own id
 * @param schemaVersion the version of this contract
 * @param occurredAt when the server received it
 * @param userId the authenticated user who sent it
 * @param action the action's type, such as {@code work_response}
 * @param payload the action's validated fields as strings, such as {@code work_id} and {@code accepted}
 */
public record ClientAction(
        UUID eventId,
        int schemaVersion,
        Instant occurredAt,
        String userId,
        String action,
        Map<String, String> payload) {

    public ClientAction {
        payload = payload == null ? Map.of() : Map.copyOf(payload);
    }
}
