package io.herald.token.topics;

import io.herald.events.TopicNames;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The internal topics API the gateway calls: a user's subscriptions (with the JWT subject's id, or the user an app
 * names), and an app's bulk changes to one topic's subscribers. Topic names follow {@link TopicNames} (400 {@code
 * invalid-topic}); a user holds at most {@code herald.token.topics.max-per-user} subscriptions (409 {@code
 * too-many-subscriptions}).
 */
@RestController
class TopicsController {

    /** The most user ids one bulk change may name (adds and removes together). */
    static final int MAX_BULK = 1000;

    /** The most subscriptions one page of a user's list holds. */
    static final int MAX_PAGE = 200;

    private final TopicSubscriptions subscriptions;
    private final TopicProperties properties;

    TopicsController(TopicSubscriptions subscriptions, TopicProperties properties) {
        this.subscriptions = subscriptions;
        this.properties = properties;
    }

    /** Subscribes the user (204, also when subscribed already). */
    @PutMapping("/internal/v1/users/{userId}/topics/{topic}")
    ResponseEntity<Void> subscribe(@PathVariable String userId, @PathVariable String topic) {
        check(topic);
        if (!subscriptions.subscribe(topic, userId, properties.maxPerUser())) {
            throw new Refusal(
                    HttpStatus.CONFLICT,
                    "too-many-subscriptions",
                    "Too many subscriptions",
                    "a user may be subscribed to at most " + properties.maxPerUser()
                            + " topics; unsubscribe from one first");
        }
        return ResponseEntity.noContent().build();
    }

    /** Unsubscribes the user (204, also when not subscribed). */
    @DeleteMapping("/internal/v1/users/{userId}/topics/{topic}")
    ResponseEntity<Void> unsubscribe(@PathVariable String userId, @PathVariable String topic) {
        check(topic);
        subscriptions.remove(topic, List.of(userId));
        return ResponseEntity.noContent().build();
    }

    /** A page of the user's subscriptions. */
    record Page(
            List<TopicSubscriptions.Subscription> subscriptions,
            @Nullable String next) {}

    /** The user's subscriptions by topic name, {@code limit} (1 to 200) a page after the topic {@code after}. */
    @GetMapping("/internal/v1/users/{userId}/topics")
    Page list(
            @PathVariable String userId,
            @RequestParam(required = false) @Nullable String after,
            @RequestParam(defaultValue = "100") int limit) {
        int size = Math.clamp(limit, 1, MAX_PAGE);
        List<TopicSubscriptions.Subscription> page = subscriptions.of(userId, after, size);
        return new Page(page, page.size() == size ? page.getLast().topic() : null);
    }

    /** An app's change to a topic's subscribers. */
    record Change(@Nullable List<String> add, @Nullable List<String> remove) {}

    /**
     * What a change did: how many were added (or subscribed already) and removed, and the users not added because they
     * are at their limit.
     */
    record Changed(int added, int removed, List<String> overLimit) {}

    @PostMapping("/internal/v1/topics/{topic}/subscribers")
    Changed change(@PathVariable String topic, @RequestBody Change change) {
        check(topic);
        List<String> add = change.add() == null ? List.of() : change.add();
        List<String> remove = change.remove() == null ? List.of() : change.remove();
        if (add.size() + remove.size() > MAX_BULK
                || add.stream().anyMatch(TopicsController::unusable)
                || remove.stream().anyMatch(TopicsController::unusable)) {
            throw new Refusal(
                    HttpStatus.BAD_REQUEST,
                    "invalid-subscribers",
                    "Invalid subscribers",
                    "send {\"add\": [...], \"remove\": [...]} with at most " + MAX_BULK
                            + " user ids in all, none blank");
        }
        int removed = subscriptions.remove(topic, remove);
        List<String> over = subscriptions.add(topic, add, properties.maxPerUser());
        return new Changed(add.size() - over.size(), removed, over);
    }

    private static boolean unusable(@Nullable String userId) {
        return userId == null || userId.isBlank();
    }

    private static void check(String topic) {
        if (!TopicNames.isValid(topic)) {
            throw new Refusal(
                    HttpStatus.BAD_REQUEST,
                    "invalid-topic",
                    "Invalid topic",
                    "a topic name is 1 to " + TopicNames.MAX_LENGTH + " characters of A-Z a-z 0-9 _ . : ~ -");
        }
    }

    @ExceptionHandler(Refusal.class)
    ResponseEntity<ProblemDetail> refused(Refusal refusal) {
        var problem = ProblemDetail.forStatusAndDetail(refusal.status, refusal.getMessage());
        problem.setType(URI.create("https://herald.dev/problems/" + refusal.kind));
        problem.setTitle(refusal.title);
        return ResponseEntity.status(refusal.status).body(problem);
    }

    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final HttpStatus status;
        private final String kind;
        private final String title;

        Refusal(HttpStatus status, String kind, String title, String detail) {
            super(detail, null, false, false);
            this.status = status;
            this.kind = kind;
            this.title = title;
        }
    }
}
