package io.herald.token.routing;

import java.net.URI;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code DELETE /internal/v1/events/{eventId}/schedule?source=}: cancels a scheduled event, for the gateway. */
@RestController
class ScheduleController {

    private final ScheduledEvents scheduled;

    ScheduleController(ScheduledEvents scheduled) {
        this.scheduled = scheduled;
    }

    /**
     * Cancels the app's ({@code source}) event while it waits for its {@code deliverAt}: 204 when a waiting event was
     * cancelled (it is never delivered); 404 {@code event-not-scheduled} when none waits under this id for this app
     * (already delivered or being delivered, never scheduled, cancelled before, or another app's).
     */
    @DeleteMapping("/internal/v1/events/{eventId}/schedule")
    ResponseEntity<?> cancel(@PathVariable UUID eventId, @RequestParam String source) {
        if (scheduled.cancel(source, eventId)) {
            return ResponseEntity.noContent().build();
        }
        var problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.NOT_FOUND,
                "No event waits for delivery under this id: it was delivered, cancelled, or never scheduled");
        problem.setType(URI.create("https://herald.dev/problems/event-not-scheduled"));
        problem.setTitle("Event not scheduled");
        return ResponseEntity.of(problem).build();
    }
}
