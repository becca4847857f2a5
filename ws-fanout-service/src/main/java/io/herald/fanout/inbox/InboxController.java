package io.herald.fanout.inbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The internal inbox API the gateway calls with the authenticated user's id taken from their JWT. It is
 * never published outside the cluster; a user reaches only the rows whose {@code user_id} is theirs, and
 * another user's notification id answers 404 exactly as a missing one does.
 */
@RestController
@RequestMapping("/internal/v1/users/{userId}/notifications")
class InboxController {

    private final InboxStore store;
    private final InboxProperties properties;

    InboxController(InboxStore store, InboxProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    /** A page of the user's notifications, newest first, with the cursor of the next page and the unread count. */
    @GetMapping
    InboxPage list(
            @PathVariable String userId,
            @RequestParam(defaultValue = "20") int limit,
            @RequestParam(required = false) @Nullable String cursor) {
        int bounded = Math.clamp(limit, 1, properties.pageSizeMax());
        InboxCursor after = cursor == null || cursor.isBlank() ? null : InboxCursor.decode(cursor);
        List<InboxItem> items = store.page(userId, after, bounded);
        String next =
                items.size() < bounded ? null : InboxCursor.of(items.getLast()).encode();
        return new InboxPage(items, next, store.unreadCount(userId));
    }

    @GetMapping("/unread-count")
    UnreadCount unreadCount(@PathVariable String userId) {
        return new UnreadCount(store.unreadCount(userId));
    }

    @PostMapping("/{notificationId}/read")
    ResponseEntity<Void> markRead(@PathVariable String userId, @PathVariable UUID notificationId) {
        if (!store.markRead(userId, notificationId)) {
            throw new NotFound();
        }
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/read-all")
    MarkedRead markAllRead(@PathVariable String userId) {
        return new MarkedRead(store.markAllRead(userId));
    }

    @DeleteMapping("/{notificationId}")
    ResponseEntity<Void> delete(@PathVariable String userId, @PathVariable UUID notificationId) {
        if (!store.delete(userId, notificationId)) {
            throw new NotFound();
        }
        return ResponseEntity.noContent().build();
    }

    @ExceptionHandler(NotFound.class)
    ProblemDetail notFound() {
        var problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No such notification in this inbox");
        problem.setType(URI.create("https://herald.dev/problems/notification-not-found"));
        problem.setTitle("Notification not found");
        return problem;
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badCursor(IllegalArgumentException e) {
        var problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        problem.setType(URI.create("https://herald.dev/problems/invalid-cursor"));
        problem.setTitle("Invalid cursor");
        problem.setProperty("field", "cursor");
        return problem;
    }

    /** A page: {@code nextCursor} is absent on the last page. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record InboxPage(List<InboxItem> items, @Nullable String nextCursor, long unreadCount) {}

    record UnreadCount(long unreadCount) {}

    record MarkedRead(int updated) {}

    private static final class NotFound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotFound() {
            super(null, null, false, false);
        }
    }
}
