package io.herald.gateway.events;

import io.herald.events.Change;
import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.gateway.GatewayProperties;
import io.herald.gateway.devices.Downstream;
import io.herald.gateway.problems.ApiProblem;
import io.herald.gateway.security.ApiKeys;
import io.herald.gateway.security.RateLimits;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Withdraw or update notifications an app sent before (API key; an app acts only on its own events: the event it
 * publishes has its own {@code source}, and Herald derives the ids of the notifications to change from the earlier
 * event's id and that source, so another app's notifications are out of its reach). Each endpoint builds a {@link
 * DomainEvent} with a {@link Change}, checks it exactly as {@code POST /v1/events} checks an event (schema, text
 * rules, {@code Idempotency-Key}, the app's rate limit: one notification per recipient), publishes it on {@code
 * herald.events.v1} and answers {@code 202 {"eventId": …}} with the new event's id; bad input is 400 problem+json
 * ({@code invalid-event}, with the {@code field}).
 *
 * <ul>
 *   <li>{@code POST /v1/events/{eventId}/withdraw}, body {@code {"recipients":[…]}} (optional, as is the body):
 *       without recipients, those of the earlier event's delivery log (404 {@code event-not-found} while it has
 *       none).
 *   <li>{@code POST /v1/withdrawals}, body {@code {"collapseKey":"…","recipients":[…]}} (both required): the
 *       recipients' notifications of this app sent with that collapse key.
 *   <li>{@code PATCH /v1/events/{eventId}}, body {@code {"recipients":[…],"title":…,"body":…,"data":{…}}}:
 *       recipients as for a withdrawal; new words for notifications still in the inbox (never a new one). With a
 *       {@code type} the words may come from its template; without one, {@code title} and {@code body} are needed.
 * </ul>
 */
@RestController
class ChangesController {

    /** The event type of a withdrawal that names none. */
    static final String WITHDRAW_TYPE = "withdraw";

    /** The event type of an update that names none. */
    static final String UPDATE_TYPE = "update";

    private static final Set<String> WITHDRAW_FIELDS = Set.of("recipients", "type");
    private static final Set<String> WITHDRAWALS_FIELDS = Set.of("recipients", "type", "collapseKey");
    private static final Set<String> UPDATE_FIELDS = Set.of("recipients", "type", "title", "body", "data");

    private final ApiKeys apiKeys;
    private final EventValidator validator;
    private final EventPublisher publisher;
    private final RecentlyAccepted recent;
    private final Downstream tokenService;
    private final GatewayProperties properties;
    private final RateLimits rateLimits;
    private final MeterRegistry meters;

    ChangesController(
            ApiKeys apiKeys,
            EventValidator validator,
            EventPublisher publisher,
            RecentlyAccepted recent,
            @Qualifier("tokenService") Downstream tokenService,
            GatewayProperties properties,
            RateLimits rateLimits,
            MeterRegistry meters) {
        this.apiKeys = apiKeys;
        this.validator = validator;
        this.publisher = publisher;
        this.recent = recent;
        this.tokenService = tokenService;
        this.properties = properties;
        this.rateLimits = rateLimits;
        this.meters = meters;
    }

    @PostMapping("/v1/events/{eventId}/withdraw")
    ResponseEntity<EventsController.Accepted> withdraw(
            @RequestHeader(name = "X-Api-Key", required = false) @Nullable String key,
            @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            @PathVariable UUID eventId,
            HttpServletRequest request) {
        ApiKeys.App app = authenticate(key);
        ObjectNode body = body(request, WITHDRAW_FIELDS, true);
        ObjectNode event = event(body, WITHDRAW_TYPE);
        event.set("recipients", recipients(body, app, eventId));
        change(event, Change.Kind.WITHDRAW).put("eventId", eventId.toString());
        return publish(app, event, idempotencyKey, body.hasNonNull("type"), "withdraw");
    }

    @PostMapping("/v1/withdrawals")
    ResponseEntity<EventsController.Accepted> withdrawCollapseKey(
            @RequestHeader(name = "X-Api-Key", required = false) @Nullable String key,
            @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            HttpServletRequest request) {
        ApiKeys.App app = authenticate(key);
        ObjectNode body = body(request, WITHDRAWALS_FIELDS, false);
        JsonNode collapseKey = body.path("collapseKey");
        if (!collapseKey.isString() || collapseKey.asString().isEmpty()) {
            throw invalid("collapseKey is required: the collapse key the notifications were sent with", "collapseKey");
        }
        if (!body.hasNonNull("recipients")) {
            throw invalid("recipients are required: whose notifications to withdraw", "recipients");
        }
        ObjectNode event = event(body, WITHDRAW_TYPE);
        event.set("recipients", body.get("recipients"));
        change(event, Change.Kind.WITHDRAW).set("collapseKey", collapseKey);
        return publish(app, event, idempotencyKey, body.hasNonNull("type"), "withdraw");
    }

    @PatchMapping("/v1/events/{eventId}")
    ResponseEntity<EventsController.Accepted> update(
            @RequestHeader(name = "X-Api-Key", required = false) @Nullable String key,
            @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            @PathVariable UUID eventId,
            HttpServletRequest request) {
        ApiKeys.App app = authenticate(key);
        ObjectNode body = body(request, UPDATE_FIELDS, false);
        boolean typed = body.hasNonNull("type");
        if (!typed) {
            for (String words : new String[] {"title", "body"}) {
                if (!body.hasNonNull(words)) {
                    throw invalid(words + " is required: an update without a type has no template to render it", words);
                }
            }
        }
        ObjectNode event = event(body, UPDATE_TYPE);
        event.set("recipients", recipients(body, app, eventId));
        for (String field : new String[] {"title", "body", "data"}) {
            if (body.has(field)) {
                event.set(field, body.get(field));
            }
        }
        change(event, Change.Kind.UPDATE).put("eventId", eventId.toString());
        return publish(app, event, idempotencyKey, typed, "update");
    }

    private ResponseEntity<EventsController.Accepted> publish(
            ApiKeys.App app, ObjectNode tree, @Nullable String idempotencyKey, boolean typed, String kind) {
        DomainEvent event;
        RecentlyAccepted.Seen seen;
        byte[] fingerprint;
        try {
            event = validator.validate(tree, app, idempotencyKey, typed);
            fingerprint = EventFingerprint.of(event, false);
            seen = recent.check(app.name(), event.eventId(), fingerprint);
            if (seen == RecentlyAccepted.Seen.CONFLICT) {
                throw EventsController.conflict(idempotencyKey != null ? "Idempotency-Key" : "eventId");
            }
            // The rate limit filter has taken one notification for the request.
            Optional<Duration> wait =
                    rateLimits.takeForApp(app.name(), event.recipients().size(), 1);
            if (wait.isPresent()) {
                throw RateLimits.tooMany("API key", wait.get());
            }
        } catch (ApiProblem problem) {
            count(kind, "rejected");
            throw problem;
        }
        if (seen == RecentlyAccepted.Seen.NEW) {
            publisher.publish(event);
            recent.add(app.name(), event.eventId(), fingerprint);
        }
        count(kind, "accepted");
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new EventsController.Accepted(event.eventId()));
    }

    private void count(String kind, String outcome) {
        meters.counter("herald.gateway.changes", "kind", kind, "outcome", outcome)
                .increment();
    }

    /**
     * The request's JSON object, with only {@code allowed} members; an empty body is {@code {}} when {@code
     * mayBeEmpty}.
     */
    private ObjectNode body(HttpServletRequest request, Set<String> allowed, boolean mayBeEmpty) {
        byte[] bytes;
        if (mayBeEmpty && request.getContentLengthLong() <= 0 && request.getContentType() == null) {
            bytes = EventsController.readLimited(
                    request, properties.maxRequestSize().toBytes());
            if (bytes.length == 0) {
                return HeraldJson.mapper().createObjectNode();
            }
        } else {
            EventsController.requireJson(request);
            bytes = EventsController.readLimited(
                    request, properties.maxRequestSize().toBytes());
        }
        if (!(EventsController.parse(bytes) instanceof ObjectNode object)) {
            throw invalid("the body must be a JSON object", null);
        }
        for (String name : object.propertyNames()) {
            if (!allowed.contains(name)) {
                throw invalid("unknown member " + name + "; this endpoint takes " + String.join(", ", allowed), name);
            }
        }
        return object;
    }

    /** The event to validate: its type (the body's, or {@code defaultType}). */
    private static ObjectNode event(ObjectNode body, String defaultType) {
        ObjectNode event = HeraldJson.mapper().createObjectNode();
        event.set("type", body.hasNonNull("type") ? body.get("type") : event.stringNode(defaultType));
        return event;
    }

    private static ObjectNode change(ObjectNode event, Change.Kind kind) {
        ObjectNode change = event.putObject("change");
        change.put("kind", kind.wireName());
        return change;
    }

    /**
     * The body's recipients, or those of the earlier event of this app, from its delivery log (token-service):
     * every user it planned or made a delivery for.
     */
    private JsonNode recipients(ObjectNode body, ApiKeys.App app, UUID eventId) {
        if (body.hasNonNull("recipients")) {
            return body.get("recipients");
        }
        ResponseEntity<byte[]> answer = tokenService.forward(
                HttpMethod.GET,
                "/internal/v1/events/" + eventId + "/deliveries?source="
                        + UriUtils.encodeQueryParam(app.name(), StandardCharsets.UTF_8),
                null);
        byte[] log = answer.getBody();
        Set<String> users = new LinkedHashSet<>();
        if (answer.getStatusCode().is2xxSuccessful() && log != null) {
            JsonNode deliveries = HeraldJson.mapper().readTree(log);
            if (app.name().equals(deliveries.path("source").asString(""))) {
                deliveries.path("deliveries").forEach(row -> {
                    String user = row.path("userId").asString("");
                    if (!user.isEmpty()) {
                        users.add(user);
                    }
                });
            }
        }
        if (users.isEmpty()) {
            throw new ApiProblem(
                            HttpStatus.NOT_FOUND,
                            "event-not-found",
                            "Event not found",
                            "no deliveries of this event of yours are known (yet): send its recipients")
                    .with("field", "recipients");
        }
        ArrayNode list = HeraldJson.mapper().createArrayNode();
        users.forEach(list::add);
        return list;
    }

    private ApiKeys.App authenticate(@Nullable String key) {
        return apiKeys.authenticate(key)
                .orElseThrow(() -> new ApiProblem(
                        HttpStatus.UNAUTHORIZED,
                        "unauthenticated",
                        "API key required",
                        "send a valid API key in the X-Api-Key header"));
    }

    private static ApiProblem invalid(String detail, @Nullable String field) {
        var problem = new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-event", "Invalid event", detail);
        return field == null ? problem : problem.with("field", field);
    }
}
