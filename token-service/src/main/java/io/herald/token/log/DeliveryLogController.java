package io.herald.token.log;

import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
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

    /** @param source the app that published the event, or {@code null} while it is not routed yet */
    record EventDeliveries(
            UUID eventId, @org.jspecify.annotations.Nullable String source, List<DeliveryLog.Row> deliveries) {}

    @GetMapping("/internal/v1/events/{eventId}/deliveries")
    ResponseEntity<?> deliveries(@PathVariable UUID eventId) {
        List<DeliveryLog.Row> rows = log.of(eventId, plans.of(eventId));
        if (rows.isEmpty()) {
            var problem =
                    ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No deliveries are known for this event");
            problem.setType(URI.create("https://herald.dev/problems/event-not-found"));
            problem.setTitle("Event not found");
            return ResponseEntity.of(problem).build();
        }
        return ResponseEntity.ok(
                new EventDeliveries(eventId, log.sourceOf(eventId).orElse(null), rows));
    }
}
