package io.herald.fanout.inbox;

import java.net.URI;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The inbox rows token-service composes its delivery log and its history from: the in-app half of a delivery is
 * its inbox row (stored, or read once read). Internal ({@code X-Herald-Internal-Token} required, as on every
 * {@code /internal/} path); unknown ids are simply absent (200 with an empty list, never 404); a bad parameter is
 * answered 400 problem+json {@code invalid-parameter} naming it ({@code field}).
 */
@RestController
class InboxRowsController {

    /** The most {@code eventId} parameters one call may carry. */
    static final int MAX_EVENT_IDS = 100;

    /** The most rows one history call may ask for. */
    static final int MAX_HISTORY_LIMIT = 100;

    /** The rows one history call answers when it asks for no number. */
    static final int DEFAULT_HISTORY_LIMIT = 20;

    private final InboxStore store;
    private final InboxProperties properties;

    InboxRowsController(InboxStore store, InboxProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    /**
     * {@code GET /internal/v1/inbox/by-event?eventId=<uuid>&eventId=<uuid>…}: every inbox row of those events (every
     * recipient's), newest first, at most {@code herald.fanout.inbox.max-rows-by-event}, with {@code "truncated":
     * true} when there are more. At most {@value #MAX_EVENT_IDS} {@code eventId} parameters; none answers an empty
     * list.
     */
    @GetMapping("/internal/v1/inbox/by-event")
    ResponseEntity<?> byEvent(@RequestParam MultiValueMap<String, String> parameters) {
        List<String> given = parameters.getOrDefault("eventId", List.of());
        if (given.size() > MAX_EVENT_IDS) {
            return invalid("eventId", "at most " + MAX_EVENT_IDS + " eventId parameters per call, not " + given.size());
        }
        Set<UUID> eventIds = new LinkedHashSet<>();
        for (String value : given) {
            UUID id = uuid(value);
            if (id == null) {
                return invalid("eventId", "every eventId must be a UUID");
            }
            eventIds.add(id);
        }
        int max = properties.maxRowsByEvent();
        List<InboxRow> rows = store.byEvents(eventIds, max + 1);
        boolean truncated = rows.size() > max;
        return ResponseEntity.ok(new ByEvent(truncated ? rows.subList(0, max) : rows, truncated));
    }

    /**
     * {@code GET /internal/v1/inbox/history/{userId}?source=<app>&limit=<n>&beforeAt=<instant>&beforeId=<uuid>}: the
     * user's rows of that app, newest first by {@code (createdAt, notificationId)}, strictly before the cursor
     * {@code (beforeAt, beforeId)} when given (both or neither: the last row of the page before). {@code source}
     * required; {@code limit} 1 to {@value #MAX_HISTORY_LIMIT}, default {@value #DEFAULT_HISTORY_LIMIT}. The user id
     * is one percent-encoded path segment ({@link io.herald.spring.web.UserIdPaths#segment}).
     */
    @GetMapping("/internal/v1/inbox/history/{userId}")
    ResponseEntity<?> history(
            @PathVariable String userId,
            @RequestParam(required = false) @Nullable String source,
            @RequestParam(required = false) @Nullable String limit,
            @RequestParam(required = false) @Nullable String beforeAt,
            @RequestParam(required = false) @Nullable String beforeId) {
        if (source == null || source.isBlank()) {
            return invalid("source", "the app (source) whose notifications to list is required");
        }
        int size = DEFAULT_HISTORY_LIMIT;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit.strip());
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > MAX_HISTORY_LIMIT) {
                return invalid("limit", "limit must be a whole number from 1 to " + MAX_HISTORY_LIMIT);
            }
        }
        InboxCursor before = null;
        if (beforeAt != null || beforeId != null) {
            if (beforeAt == null) {
                return invalid("beforeAt", "beforeAt is required with beforeId: the createdAt of the last row");
            }
            if (beforeId == null) {
                return invalid("beforeId", "beforeId is required with beforeAt: the notificationId of the last row");
            }
            Instant at;
            try {
                at = Instant.parse(beforeAt.strip());
            } catch (DateTimeException e) {
                return invalid("beforeAt", "beforeAt must be an ISO-8601 instant, such as 2026-12-07T08:00:00.123Z");
            }
            UUID id = uuid(beforeId);
            if (id == null) {
                return invalid("beforeId", "beforeId must be a UUID");
            }
            before = new InboxCursor(at, id);
        }
        return ResponseEntity.ok(new History(store.history(userId, source, before, size)));
    }

    private static @Nullable UUID uuid(String value) {
        try {
            return UUID.fromString(value.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static ResponseEntity<?> invalid(String field, String detail) {
        var problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setType(URI.create("https://herald.dev/problems/invalid-parameter"));
        problem.setTitle("Invalid parameter");
        problem.setProperty("field", field);
        return ResponseEntity.of(problem).build();
    }

    /** The rows of some events: {@code truncated} when there were more than the answer holds. */
    record ByEvent(List<InboxRow> notifications, boolean truncated) {}

    /** A page of a user's rows of one app. */
    record History(List<InboxRow> notifications) {}
}
