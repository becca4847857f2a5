package io.herald.fanout.inbox;

import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The internal API dispatch-service calls to resolve a push's {@code badge: "unread"}: {@code GET
 * /internal/inbox/{userId}/unread?notificationId={id}} (service credential required, as on every {@code
 * /internal/} path; the user id one percent-encoded path segment, see {@link io.herald.spring.web.UserIdPaths}).
 * The badge is {@code unread + (the push also went to the inbox && !stored ? 1 : 0)}: the inbox writer may not
 * have stored the notification yet when its push is sent.
 */
@RestController
class UnreadController {

    private final InboxStore store;

    UnreadController(InboxStore store) {
        this.store = store;
    }

    /**
     * The user's unread count and whether {@code notificationId} is stored in their inbox ({@code false} when the
     * parameter is absent). A user with no inbox has {@code {"unread":0,"stored":false}}. A {@code
     * notificationId} that is not a UUID answers 400 problem+json.
     */
    @GetMapping("/internal/inbox/{userId}/unread")
    Unread unread(@PathVariable String userId, @RequestParam(required = false) @Nullable UUID notificationId) {
        InboxStore.UnreadAndStored answer = store.unreadAndStored(userId, notificationId);
        return new Unread(answer.unread(), answer.stored());
    }

    /** The answer: {@code {"unread": n, "stored": true|false}}. */
    record Unread(long unread, boolean stored) {}
}
