package io.herald.fanout.ws;

import io.herald.events.ClientAction;
import io.herald.events.DomainEvent;
import io.herald.events.DomainEventSchema;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.Topics;
import io.herald.fanout.inbox.InboxItem;
import io.herald.fanout.inbox.InboxProgress;
import io.herald.fanout.inbox.InboxStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * What a socket is told ({@link SocketServer} carries the bytes): the answers to the client's messages (inbox
 * queries and changes, {@code resume}, {@code ping}, app actions, the Channels dialect's {@code send_notification}),
 * for the authenticated user only, in the socket's {@link SocketDialect}. Every request may carry a {@code
 * request_id}, echoed in the answer; a notification id may be sent as {@code id} or {@code notification_id}. A bad
 * message gets an {@code error} answer and the socket stays open.
 */
@Component
class NotificationSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(NotificationSocketHandler.class);
    private static final int MAX_PAGE_SIZE = 100;
    private static final int MAX_WORK_ID_LENGTH = 200;
    /** The type of a {@code send_notification} that names none, as the Channels app's own default. */
    private static final String DEFAULT_NOTIFICATION_TYPE = "general";

    private final InboxStore inbox;
    private final Resumer resumer;
    private final KafkaTemplate<String, Object> kafka;
    private final SocketProperties properties;
    private final DialectProperties dialects;
    private final InboxProgress progress;
    private final LiveFrontier frontier;
    private final TopicEnds ends;
    private final Clock clock;

    NotificationSocketHandler(
            InboxStore inbox,
            Resumer resumer,
            KafkaTemplate<String, Object> kafka,
            SocketProperties properties,
            DialectProperties dialects,
            InboxProgress progress,
            LiveFrontier frontier,
            TopicEnds ends,
            Clock clock) {
        this.inbox = inbox;
        this.resumer = resumer;
        this.kafka = kafka;
        this.properties = properties;
        this.dialects = dialects;
        this.progress = progress;
        this.frontier = frontier;
        this.ends = ends;
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
        SocketDialect dialect = session.dialect();
        JsonNode request;
        try {
            request = ClientMessages.parse(payload);
        } catch (JacksonException e) {
            session.send(error(dialect, "invalid_message", "not JSON", null, null));
            return;
        }
        if (request == null || !request.path("type").isString()) {
            session.send(error(dialect, "invalid_message", "a JSON object with a string \"type\"", null, null));
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
            session.send(error(dialect, "invalid_field", Objects.requireNonNull(e.getMessage()), type, requestId));
        } catch (DataAccessException e) {
            log.warn("inbox unavailable answering {} on socket {}: {}", type, session.id(), e.getMessage());
            session.send(error(dialect, "unavailable", "the inbox is unavailable, try again", type, requestId));
        } catch (RuntimeException e) {
            log.error("failed to answer {} on socket {}", type, session.id(), e);
            session.send(error(dialect, "internal", "the message could not be handled, try again", type, requestId));
        }
    }

    /** The answer to one request, or {@code null} when it was written already (a resume's, after its replay). */
    private @Nullable String answer(ClientSession session, String type, JsonNode request, @Nullable String requestId) {
        String userId = session.userId();
        SocketDialect dialect = session.dialect();
        boolean channels = dialect == SocketDialect.CHANNELS;
        return switch (type) {
            case "ping" -> SocketMessages.pong(requestId);
            case "get_notifications" -> {
                int page = intField(request, "page", 1, 1, Integer.MAX_VALUE / MAX_PAGE_SIZE);
                int size = intField(request, "page_size", 20, 1, MAX_PAGE_SIZE);
                List<InboxItem> items = inbox.pageNumber(userId, page, size);
                long total = inbox.count(userId);
                long unread = inbox.unreadCount(userId);
                yield channels
                        ? ChannelsMessages.list(
                                items.stream().map(Shown::of).toList(), page, size, total, unread, requestId)
                        : SocketMessages.list(items, page, size, total, unread, requestId);
            }
            case "get_unread_count" -> SocketMessages.unreadCount(inbox.unreadCount(userId), requestId);
            case "mark_read" -> {
                UUID id = notificationId(request);
                if (!inbox.markRead(userId, id)) {
                    yield error(dialect, "not_found", "no such notification in your inbox", type, requestId);
                }
                long unread = inbox.unreadCount(userId);
                yield channels
                        ? ChannelsMessages.markedRead(id, unread, requestId)
                        : SocketMessages.markedRead(id, unread, requestId);
            }
            case "mark_all_read" -> {
                int updated = inbox.markAllRead(userId);
                yield channels
                        ? ChannelsMessages.allMarkedRead(updated, requestId)
                        : SocketMessages.allMarkedRead(updated, requestId);
            }
            case "delete_notification" -> {
                UUID id = notificationId(request);
                if (!inbox.delete(userId, id)) {
                    yield error(dialect, "not_found", "no such notification in your inbox", type, requestId);
                }
                long unread = inbox.unreadCount(userId);
                yield channels
                        ? ChannelsMessages.deleted(id, unread, requestId)
                        : SocketMessages.deleted(id, unread, requestId);
            }
            case "resume" -> {
                resume(session, request, requestId);
                yield null;
            }
            case "work_response" -> workResponse(session, request, requestId);
            case "send_notification" ->
                channels
                        ? sendNotification(userId, request, requestId)
                        : error(dialect, "unknown_type", "unknown message type", type, requestId);
            default -> error(dialect, "unknown_type", "unknown message type", type, requestId);
        };
    }

    /** Herald's {@code error}, in the socket's dialect. */
    private static String error(
            SocketDialect dialect,
            String code,
            String message,
            @Nullable String requestType,
            @Nullable String requestId) {
        return dialect == SocketDialect.CHANNELS
                ? ChannelsMessages.error(code, message, requestType, requestId)
                : SocketMessages.error(code, message, requestType, requestId);
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
     * work_id} of a {@code work_assigned} notification in the user's own inbox is accepted. When {@code
     * herald.fanout.dialects.reply-routing} names {@code work_response}, the answer also goes, as a {@code
     * work_response} event, to the assignment's actor, and the client is answered once Kafka has both.
     */
    private String workResponse(ClientSession session, JsonNode request, @Nullable String requestId) {
        String userId = session.userId();
        SocketDialect dialect = session.dialect();
        String workId = ClientMessages.idText(request.path("work_id"));
        if (workId == null || workId.isBlank() || workId.length() > MAX_WORK_ID_LENGTH) {
            throw new InvalidField("work_id must be a non-empty string (or an integer) of at most " + MAX_WORK_ID_LENGTH
                    + " characters");
        }
        JsonNode acceptedNode = request.path("accepted");
        if (!acceptedNode.isBoolean()) {
            throw new InvalidField("accepted must be true or false");
        }
        boolean accepted = acceptedNode.asBoolean();
        Optional<InboxStore.WorkAssignment> assignment = inbox.workAssignment(userId, workId);
        if (assignment.isEmpty()) {
            // The socket may have got the assignment live a moment before the inbox stored it, and the seed's client
            // answers at once: once the inbox has stored what the topic holds now, a missing one is truly missing.
            if (!inboxCaughtUp()) {
                return error(
                        dialect,
                        "unavailable",
                        "the inbox is catching up, try again",
                        DialectProperties.WORK_RESPONSE,
                        requestId);
            }
            assignment = inbox.workAssignment(userId, workId);
        }
        if (assignment.isEmpty()) {
            return error(
                    dialect,
                    "not_found",
                    "no work assignment with this work_id in your inbox",
                    DialectProperties.WORK_RESPONSE,
                    requestId);
        }
        Map<String, String> payload = Map.of("work_id", workId, "accepted", Boolean.toString(accepted));
        var action = new ClientAction(
                UUID.randomUUID(),
                DomainEvent.SCHEMA_VERSION,
                clock.instant(),
                userId,
                DialectProperties.WORK_RESPONSE,
                payload);
        List<ProducerRecord<String, Object>> records = new ArrayList<>();
        records.add(new ProducerRecord<>(Topics.CLIENT_ACTIONS, userId, action));
        DomainEvent reply = dialects.routesReplies(DialectProperties.WORK_RESPONSE)
                ? reply(userId, assignment.get(), payload)
                : null;
        if (reply != null) {
            records.add(new ProducerRecord<>(Topics.EVENTS, reply.eventId().toString(), reply));
        }
        if (!acknowledged(records)) {
            log.warn("work response {} not acknowledged by Kafka", action.eventId());
            return error(
                    dialect,
                    "unavailable",
                    "the response could not be recorded, try again",
                    DialectProperties.WORK_RESPONSE,
                    requestId);
        }
        return switch (dialect) {
            case HERALD -> SocketMessages.actionAccepted(DialectProperties.WORK_RESPONSE, action.eventId(), requestId);
            case CHANNELS, WORK -> WorkMessages.responseRecorded(action.eventId(), workId, accepted, true, requestId);
        };
    }

    /**
     * Waits, at most {@code action-timeout}, for the inbox writers to store every notification published so far.
     *
     * @return {@code false} when they did not in time (or Kafka or the inbox could not tell)
     */
    private boolean inboxCaughtUp() {
        long deadline = System.nanoTime() + properties.actionTimeout().toNanos();
        try {
            Set<Integer> partitions = frontier.awaitPartitions(left(deadline));
            return !partitions.isEmpty() && progress.awaitStored(ends.of(partitions, left(deadline)), left(deadline));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            log.debug("the inbox's progress could not be told: {}", e.toString());
            return false;
        }
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /**
     * The notification that tells the assignment's actor of the answer: a {@code work_response} event from the
     * responder about the assignment's object, with {@code work_id} and {@code accepted}, in the name of the app
     * that sent the assignment; none for an assignment without an actor (nobody to tell).
     */
    private @Nullable DomainEvent reply(
            String responder, InboxStore.WorkAssignment assignment, Map<String, String> payload) {
        String actor = assignment.actorId();
        if (actor == null || actor.equals(responder)) {
            return null;
        }
        String source = assignment.source() != null ? assignment.source() : dialects.defaultSource();
        return new DomainEvent(
                Ids.newEventId(),
                DomainEvent.SCHEMA_VERSION,
                DialectProperties.WORK_RESPONSE,
                source,
                clock.instant(),
                new DomainEvent.Actor(responder, null),
                List.of(actor),
                assignment.objectId() == null
                        ? null
                        : new DomainEvent.EventObject(
                                assignment.objectId(), assignment.objectKind(), assignment.objectTitle()),
                payload,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /**
     * {@code send_notification} (the Channels dialect): publishes a notification to {@code user_id} as an event on
     * {@code herald.events.v1} and answers {@code notification_sent} with the id the recipient's notification gets,
     * once Kafka has it. A user may name only themselves unless {@code herald.fanout.dialects.send-to-others} is on.
     */
    private String sendNotification(String userId, JsonNode request, @Nullable String requestId) {
        String type = "send_notification";
        String recipient = ClientMessages.idText(request.path("user_id"));
        if (recipient == null || recipient.isBlank()) {
            throw new InvalidField("user_id must be a user id (a string or an integer)");
        }
        if (!recipient.equals(userId) && !dialects.sendToOthers()) {
            return ChannelsMessages.error("forbidden", "you may send notifications only to yourself", type, requestId);
        }
        String notificationType = optionalText(request, ClientMessages.NOTIFICATION_TYPE);
        String title = optionalText(request, "title");
        String message = optionalText(request, "message");
        String link = optionalText(request, "link");
        if ((title == null || title.isBlank()) && (message == null || message.isBlank())) {
            throw new InvalidField("a notification needs a title or a message");
        }
        Map<String, String> data = dataOf(request.path("data"));
        // Herald never tells the actor of their own event: a notification to oneself carries no actor.
        var actor = recipient.equals(userId) ? null : new DomainEvent.Actor(userId, null);
        var event = new DomainEvent(
                Ids.newEventId(),
                DomainEvent.SCHEMA_VERSION,
                notificationType == null ? DEFAULT_NOTIFICATION_TYPE : notificationType,
                dialects.sendSource(),
                clock.instant(),
                actor,
                List.of(recipient),
                null,
                data,
                title,
                message,
                null,
                null,
                null,
                null,
                null,
                link,
                null,
                null,
                null,
                null,
                false,
                null);
        List<String> violations =
                DomainEventSchema.violations(HeraldJson.mapper().valueToTree(event));
        if (!violations.isEmpty()) {
            throw new InvalidField("not a notification Herald can send: " + violations.getFirst());
        }
        if (!acknowledged(
                List.of(new ProducerRecord<>(Topics.EVENTS, event.eventId().toString(), event)))) {
            log.warn("notification event {} not acknowledged by Kafka", event.eventId());
            return ChannelsMessages.error(
                    "unavailable", "the notification could not be sent, try again", type, requestId);
        }
        return ChannelsMessages.sent(Ids.notificationId(event.eventId(), event.source(), recipient), requestId);
    }

    /**
     * Sends the records and waits, at most {@code action-timeout} in all, for Kafka to acknowledge every one.
     * {@code send()} itself may block (up to the producer's {@code max.block.ms}) when Kafka is away: both are bound.
     */
    private boolean acknowledged(List<ProducerRecord<String, Object>> records) {
        try {
            CompletableFuture.supplyAsync(
                            () -> CompletableFuture.allOf(
                                    records.stream().map(kafka::send).toArray(CompletableFuture[]::new)),
                            task -> Thread.ofVirtual().start(task))
                    .thenCompose(sent -> sent)
                    .get(properties.actionTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            log.debug("records not acknowledged by Kafka: {}", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static @Nullable String optionalText(JsonNode request, String name) {
        JsonNode node = request.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            throw new InvalidField(name + " must be a string");
        }
        return node.asString();
    }

    /**
     * A notification's {@code data} as Herald carries it, strings: a number or boolean as its JSON text, a nested
     * object or array as its JSON.
     */
    private static Map<String, String> dataOf(JsonNode data) {
        if (data.isMissingNode() || data.isNull()) {
            return Map.of();
        }
        if (!data.isObject()) {
            throw new InvalidField("data must be an object");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : data.properties()) {
            JsonNode value = entry.getValue();
            if (!value.isNull()) {
                values.put(
                        entry.getKey(),
                        value.isString()
                                ? value.asString()
                                : HeraldJson.mapper().writeValueAsString(value));
            }
        }
        return values;
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

    /** The notification a request names by {@code id} or, as the Channels frontend does, {@code notification_id}. */
    private static UUID notificationId(JsonNode request) {
        return uuid(ClientMessages.notificationId(request), "id (or notification_id)");
    }

    private static UUID uuidField(JsonNode request, String name) {
        return uuid(request.path(name), name);
    }

    private static UUID uuid(JsonNode node, String name) {
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
