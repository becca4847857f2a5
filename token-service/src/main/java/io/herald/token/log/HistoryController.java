package io.herald.token.log;

import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /internal/v1/users/{userId}/notifications?source=…}: what an app sent a user, newest first, with each
 * channel's outcome; the gateway's {@code GET /v1/users/{userId}/notifications}. The user id is one path segment,
 * percent-encoded ({@code UserIdPaths}).
 */
@RestController
class HistoryController {

    private final HistoryPages history;
    private final HistoryProperties properties;

    HistoryController(HistoryPages history, HistoryProperties properties) {
        this.history = history;
        this.properties = properties;
    }

    /**
     * A page of the history. {@code limit}: 1 to {@code max-limit} (default {@code default-limit}); {@code before}:
     * the {@code next} cursor of the page before. A bad parameter is answered 400 {@code invalid-parameter} naming
     * it ({@code field}); an unknown user or one the app sent nothing is an empty page, not 404; 503 {@code
     * log-source-unavailable} naming the service when ws-fanout-service or dispatch-service did not answer in time.
     */
    @GetMapping("/internal/v1/users/{userId}/notifications")
    ResponseEntity<?> notifications(
            @PathVariable String userId,
            @RequestParam(required = false) @Nullable String source,
            @RequestParam(required = false) @Nullable String limit,
            @RequestParam(required = false) @Nullable String before) {
        if (source == null || source.isBlank()) {
            return invalid("source", "the app (source) whose notifications to list is required");
        }
        int size = properties.defaultLimit();
        if (limit != null) {
            try {
                size = Integer.parseInt(limit.strip());
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > properties.maxLimit()) {
                return invalid("limit", "limit must be a whole number from 1 to " + properties.maxLimit());
            }
        }
        NotificationHistory.Cursor cursor = null;
        if (before != null) {
            cursor = NotificationHistory.Cursor.decode(before);
            if (cursor == null) {
                return invalid(
                        "before", "before must be the next cursor of an earlier page of this list, as it was given");
            }
        }
        try {
            return ResponseEntity.ok(history.page(userId, source, size, cursor));
        } catch (LogServices.Unavailable e) {
            return DeliveryLogController.unavailable(e);
        }
    }

    private static ResponseEntity<?> invalid(String field, String detail) {
        var problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setType(URI.create("https://herald.dev/problems/invalid-parameter"));
        problem.setTitle("Invalid parameter");
        problem.setProperty("field", field);
        return ResponseEntity.of(problem).build();
    }
}
