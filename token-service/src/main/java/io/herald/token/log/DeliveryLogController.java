package io.herald.token.log;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.util.List;
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

    private final EventLog log;

    DeliveryLogController(EventLog log) {
        this.log = log;
    }

    /**
     * @param source the app that published the event: the one asked for, else the one app known to have published
     *     it; {@code null} when none is known yet, or when several apps used the id
     * @param truncated present ({@code true}) only when dispatch-service or the inbox held more rows of the event than
     *     they give in one answer, or a digest absorbed more events than {@code absorbed} lists: the lists are then
     *     not all of it
     * @param absorbed present only for a digest: the events it absorbed, in order of arrival
     * @param waiting present only while parts of the event wait to be routed (a later {@code deliverAt}, a
     *     {@code deliverAtLocal} part per instant, pushes deferred past quiet hours): kind, when due, how many
     *     recipients
     */
    record EventDeliveries(
            UUID eventId,
            @Nullable String source,
            List<DeliveryLog.Row> deliveries,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Boolean truncated,

            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<UUID> absorbed,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ScheduledParts.Waiting> waiting) {}

    /**
     * What became of an event: token-service's skips, dispatch-service's push outcomes and the inbox's in-app ones
     * ({@link EventLog}). {@code source}: only that app's event under this id (two apps may use the same event id;
     * each sees only its own recipients); 404 when nothing is known of it; 503 {@code log-source-unavailable}
     * naming the service ({@code services}) when dispatch-service or ws-fanout-service did not answer in time.
     */
    @GetMapping("/internal/v1/events/{eventId}/deliveries")
    ResponseEntity<?> deliveries(@PathVariable UUID eventId, @RequestParam(required = false) @Nullable String source) {
        EventLog.Composed composed;
        try {
            composed = log.of(eventId, source);
        } catch (LogServices.Unavailable e) {
            return unavailable(e);
        }
        if (composed.rows().isEmpty()
                && composed.absorbed().isEmpty()
                && composed.waiting().isEmpty()) {
            var problem =
                    ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No deliveries are known for this event");
            problem.setType(URI.create("https://herald.dev/problems/event-not-found"));
            problem.setTitle("Event not found");
            return ResponseEntity.of(problem).build();
        }
        return ResponseEntity.ok(new EventDeliveries(
                eventId,
                composed.source(),
                composed.rows(),
                composed.truncated() ? Boolean.TRUE : null,
                composed.absorbed(),
                composed.waiting()));
    }

    /** 503 naming the service(s) that did not answer: never part of the answer presented as all of it. */
    static ResponseEntity<?> unavailable(LogServices.Unavailable e) {
        var problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.SERVICE_UNAVAILABLE,
                e.service() + " did not answer in time: the answer would be incomplete, try again shortly");
        problem.setType(URI.create("https://herald.dev/problems/log-source-unavailable"));
        problem.setTitle("Log source unavailable");
        problem.setProperty("services", List.of(e.service().split(" and ")));
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header("Retry-After", "1")
                .body(problem);
    }
}
