package io.herald.token.log;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /internal/v1/events/{eventId}/deliveries}: what became of an event, for the gateway. */
@RestController
class DeliveryLogController {

    private final DeliveryLog log;
    private final PlannedPushes plans;

    DeliveryLogController(DeliveryLog log, PlannedPushes plans) {
        this.log = log;
        this.plans = plans;
    }

    /**
     * @param source the app that published the event: the one asked for, else the one app whose event was routed
     *     under this id; {@code null} while it is not routed yet, or when several apps used the id
     */
    record EventDeliveries(UUID eventId, @Nullable String source, List<DeliveryLog.Row> deliveries) {}

    /**
     * What became of an event. {@code source}: only that app's event under this id (two apps may use the same
     * event id; each sees only its own recipients); 404 when it has none.
     */
    @GetMapping("/internal/v1/events/{eventId}/deliveries")
    ResponseEntity<?> deliveries(@PathVariable UUID eventId, @RequestParam(required = false) @Nullable String source) {
        Set<String> routedBy = log.sourcesOf(eventId);
        List<DeliveryLog.Row> rows = log.of(eventId, plans.of(eventId), source, routedBy);
        if (rows.isEmpty()) {
            var problem =
                    ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No deliveries are known for this event");
            problem.setType(URI.create("https://herald.dev/problems/event-not-found"));
            problem.setTitle("Event not found");
            return ResponseEntity.of(problem).build();
        }
        String shown = source != null
                ? source
                : routedBy.size() == 1 ? routedBy.iterator().next() : null;
        return ResponseEntity.ok(new EventDeliveries(eventId, shown, rows));
    }
}
