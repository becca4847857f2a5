package io.herald.fanout.inbox;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The internal inbox API the gateway calls with the authenticated user's id. Not published outside. */
@RestController
@RequestMapping("/internal/v1/users/{userId}/notifications")
class InboxController {

    private final InboxStore store;
    private final InboxProperties properties;

    InboxController(InboxStore store, InboxProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    /** The user's newest notifications and unread count. */
    @GetMapping
    InboxPage list(@PathVariable String userId, @RequestParam(defaultValue = "20") int limit) {
        int bounded = Math.clamp(limit, 1, properties.pageSizeMax());
        return new InboxPage(store.newest(userId, bounded), store.unreadCount(userId));
    }

    record InboxPage(List<InboxItem> items, long unreadCount) {}
}
