package io.herald.dispatch.delivery;

import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /internal/v1/deliveries?eventId=…&eventId=…}: the push half of the delivery log, for token-service,
 * which composes an event's log from it. Under {@code /internal/**}, so only callers with the service credential
 * reach it (herald-spring's {@code InternalSecretFilter}: {@code 401} otherwise).
 *
 * <p>One element per delivery id of those events: its latest attempt (the latest recorded, then the highest
 * attempt), newest first, at most {@code herald.dispatch.log.max-rows} ({@code "truncated": true} when there were
 * more). Unknown event ids are simply absent. No {@code eventId}, more than {@value EventIdParameters#MAX}, or one
 * that is not a UUID: {@code 400} problem+json ({@code invalid-parameter}, {@code field} {@code eventId}).
 */
@RestController
class DeliveriesController {

    private final DeliveryLog log;
    private final int maxRows;

    DeliveriesController(DeliveryLog log, DispatchProperties properties) {
        this.log = log;
        this.maxRows = properties.log().maxRows();
    }

    /** The answer: {@code truncated} when more deliveries than {@code deliveries} hold matched. */
    record Deliveries(List<DeliveryLog.Latest> deliveries, boolean truncated) {}

    @GetMapping("/internal/v1/deliveries")
    Deliveries deliveries(@RequestParam(name = "eventId", required = false) @Nullable List<String> eventIds) {
        var page = log.latest(EventIdParameters.parse(eventIds), maxRows);
        return new Deliveries(page.deliveries(), page.truncated());
    }

    @ExceptionHandler(EventIdParameters.Invalid.class)
    ProblemDetail invalid(EventIdParameters.Invalid e) {
        var problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        problem.setType(URI.create("https://herald.dev/problems/invalid-parameter"));
        problem.setTitle("Invalid parameter");
        problem.setProperty("field", "eventId");
        return problem;
    }
}
