package io.herald.token.routing;

import io.herald.token.log.DeliveryLog;
import java.net.URI;
import java.time.Clock;
import java.util.List;
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

    /** The reason a deferred push cancelled with its event is logged with. */
    static final String CANCELLED = "cancelled: the event was cancelled before its quiet hours ended";

    private final ScheduledEvents scheduled;
    private final DeliveryLog log;
    private final Clock clock;

    ScheduleController(ScheduledEvents scheduled, DeliveryLog log, Clock clock) {
        this.scheduled = scheduled;
        this.log = log;
        this.clock = clock;
    }

    /**
     * Cancels the app's ({@code source}) event while it waits for its {@code deliverAt}: 204 when a waiting event was
     * cancelled (it is never delivered); 404 {@code event-not-scheduled} when none waits under this id for this app
     * (already delivered or being delivered, never scheduled, cancelled before, or another app's). Every part of the
     * event still waiting is cancelled: the recipients of a {@code deliverAtLocal} whose time has not come, and the
     * pushes deferred past quiet hours (their {@code deferred} log entries become {@code skipped}, {@code
     * cancelled}).
     */
    @DeleteMapping("/internal/v1/events/{eventId}/schedule")
    ResponseEntity<?> cancel(@PathVariable UUID eventId, @RequestParam String source) {
        List<ScheduledEvents.Cancelled> cancelled = scheduled.cancel(source, eventId, false);
        if (!cancelled.isEmpty()) {
            ScheduledEvents.settle(log, cancelled, CANCELLED, clock.instant());
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
