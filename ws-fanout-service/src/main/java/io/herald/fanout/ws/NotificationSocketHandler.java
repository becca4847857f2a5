package io.herald.fanout.ws;

import io.herald.events.ClientAction;
import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.Topics;
import io.herald.fanout.inbox.InboxItem;
import io.herald.fanout.inbox.InboxStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * What a socket of {@code /ws/notifications} is told ({@link SocketServer} carries the bytes): the answers to
 * the client's messages (inbox queries and changes, {@code resume}, {@code ping}, app actions), for the
 * authenticated user only. Every request may carry a {@code request_id}, echoed
 * in the answer. A bad message gets an {@code error} answer and the socket stays open.
 */
@Component
class NotificationSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(NotificationSocketHandler.class);
    private static final int MAX_PAGE_SIZE = 100;
    private static final int MAX_WORK_ID_LENGTH = 200;

    private final InboxStore inbox;
    private final Resumer resumer;
    private final KafkaTemplate<String, Object> kafka;
    private final SocketProperties properties;
    private final Clock clock;

    NotificationSocketHandler(
            InboxStore inbox,
            Resumer resumer,
            KafkaTemplate<String, Object> kafka,
            SocketProperties properties,
            Clock clock) {
        this.inbox = inbox;
        this.resumer = resumer;
        this.kafka = kafka;
        this.properties = properties;
        this.clock = clock;
    }

    /** A socket was opened: it is greeted with the user's unread count. Runs off the I/O thread. */
    void opened(ClientSession session) {
        try {
            session.send(SocketMessages.unreadCount(inbox.unreadCount(session.userId()), null));
        } catch (DataAccessException e) {
            log.warn("inbox unavailable while greeting socket {}: {}", session.id(), e.getMessage());
        }
    }

    /**
     * Answers one text message of the client. Runs off the I/O thread, one message of a socket at a time. Any
     * message but a valid {@code resume} lets the live notifications held back since the socket opened flow.
     */
    void onText(ClientSession session, String payload) {
        try {
            answer(session, payload);
        } finally {
            session.opened();
        }
    }

    private void answer(ClientSession session, String payload) {
        JsonNode request;
        try {
            request = HeraldJson.mapper().readTree(payload);
        } catch (JacksonException e) {
            session.send(SocketMessages.error("invalid_message", "not JSON", null, null));
            return;
        }
        if (!request.isObject() || !request.path("type").isString()) {
            session.send(SocketMessages.error("invalid_message", "a JSON object with a string \"type\"", null, null));
            return;
        }
        String type = request.path("type").asString();
        String requestId = request.path("request_id").isString()
                ? request.path("request_id").asString()
                : null;
        if (!type.equals("resume")) {
            session.opened();
        }
        try {
            String answer = answer(session, type, request, requestId);
            if (answer != null) {
                session.send(answer);
            }
        } catch (InvalidField e) {
            session.send(
                    SocketMessages.error("invalid_field", Objects.requireNonNull(e.getMessage()), type, requestId));
        } catch (DataAccessException e) {
            log.warn("inbox unavailable answering {} on socket {}: {}", type, session.id(), e.getMessage());
            session.send(SocketMessages.error("unavailable", "the inbox is unavailable, try again", type, requestId));
        } catch (RuntimeException e) {
            log.error("failed to answer {} on socket {}", type, session.id(), e);
            session.send(
                    SocketMessages.error("internal", "the message could not be handled, try again", type, requestId));
        }
    }

    /** The answer to one request, or {@code null} when it was written already (a resume's, after its replay). */
    private @Nullable String answer(ClientSession session, String type, JsonNode request, @Nullable String requestId) {
        String userId = session.userId();
        return switch (type) {
            case "ping" -> SocketMessages.pong(requestId);
            case "get_notifications" -> {
                int page = intField(request, "page", 1, 1, Integer.MAX_VALUE / MAX_PAGE_SIZE);
                int size = intField(request, "page_size", 20, 1, MAX_PAGE_SIZE);
                List<InboxItem> items = inbox.pageNumber(userId, page, size);
                yield SocketMessages.list(items, page, size, inbox.count(userId), inbox.unreadCount(userId), requestId);
            }
            case "get_unread_count" -> SocketMessages.unreadCount(inbox.unreadCount(userId), requestId);
            case "mark_read" -> {
                UUID id = uuidField(request, "id");
                yield inbox.markRead(userId, id)
                        ? SocketMessages.markedRead(id, inbox.unreadCount(userId), requestId)
                        : SocketMessages.error("not_found", "no such notification in your inbox", type, requestId);
            }
            case "mark_all_read" -> SocketMessages.allMarkedRead(inbox.markAllRead(userId), requestId);
            case "delete_notification" -> {
                UUID id = uuidField(request, "id");
                yield inbox.delete(userId, id)
                        ? SocketMessages.deleted(id, inbox.unreadCount(userId), requestId)
                        : SocketMessages.error("not_found", "no such notification in your inbox", type, requestId);
            }
            case "resume" -> {
                resume(session, request, requestId);
                yield null;
            }
            case "work_response" -> workResponse(userId, request, requestId);
            default -> SocketMessages.error("unknown_type", "unknown message type", type, requestId);
        };
    }

    /** Replays what the client missed after the {@code position} or {@code last_id} it sends (see {@link Resumer}). */
    private void resume(ClientSession session, JsonNode request, @Nullable String requestId) {
        JsonNode position = request.path("position");
        if (!position.isMissingNode() && !position.isNull()) {
            InboxStore.StreamPosition from =
                    position.isString() ? SocketMessages.parsePosition(position.asString()) : null;
            if (from == null) {
                throw new InvalidField("position must be the position of a notification you received");
            }
            resumer.fromPosition(session, from, requestId);
        } else {
            resumer.fromNotification(session, uuidField(request, "last_id"), requestId);
        }
    }

    /**
     * Publishes the user's answer to a work assignment for the upstream app, once Kafka has it. Only a {@code
     * work_id} of a {@code work_assigned} notification in the user's own inbox is accepted.
     */
    private String workResponse(String userId, JsonNode request, @Nullable String requestId) {
        JsonNode workId = request.path("work_id");
        if (!workId.isString()
                || workId.asString().isBlank()
                || workId.asString().length() > MAX_WORK_ID_LENGTH) {
            throw new InvalidField(
                    "work_id must be a non-empty string of at most " + MAX_WORK_ID_LENGTH + " characters");
        }
        JsonNode accepted = request.path("accepted");
        if (!accepted.isBoolean()) {
            throw new InvalidField("accepted must be true or false");
        }
        if (!inbox.hasWorkAssignment(userId, workId.asString())) {
            return SocketMessages.error(
                    "not_found", "no work assignment with this work_id in your inbox", "work_response", requestId);
        }
        var action = new ClientAction(
                UUID.randomUUID(),
                DomainEvent.SCHEMA_VERSION,
                clock.instant(),
                userId,
                "work_response",
                Map.of("work_id", workId.asString(), "accepted", Boolean.toString(accepted.asBoolean())));
        try {
            // send() itself may block (up to the producer's max.block.ms) when Kafka is away: bound both.
            CompletableFuture.supplyAsync(
                            () -> kafka.send(Topics.CLIENT_ACTIONS, userId, action),
                            task -> Thread.ofVirtual().start(task))
                    .thenCompose(sent -> sent)
                    .get(properties.actionTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("work response {} not acknowledged by Kafka: {}", action.eventId(), e.toString());
            return SocketMessages.error(
                    "unavailable", "the response could not be recorded, try again", "work_response", requestId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SocketMessages.error(
                    "unavailable", "the response could not be recorded, try again", "work_response", requestId);
        }
        return SocketMessages.actionAccepted("work_response", action.eventId(), requestId);
    }

    private static int intField(JsonNode request, String name, int fallback, int min, int max) {
        JsonNode node = request.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (!node.isInt() || node.asInt() < min || node.asInt() > max) {
            throw new InvalidField(name + " must be an integer from " + min + " to " + max);
        }
        return node.asInt();
    }

    private static UUID uuidField(JsonNode request, String name) {
        JsonNode node = request.path(name);
        if (!node.isString()) {
            throw new InvalidField(name + " must be a notification id (a UUID string)");
        }
        try {
            return UUID.fromString(node.asString());
        } catch (IllegalArgumentException e) {
            throw new InvalidField(name + " must be a notification id (a UUID string)");
        }
    }

    private static final class InvalidField extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidField(String message) {
            super(message, null, false, false);
        }
    }
}
