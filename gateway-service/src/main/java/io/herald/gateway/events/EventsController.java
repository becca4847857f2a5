package io.herald.gateway.events;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.gateway.GatewayProperties;
import io.herald.gateway.devices.Downstream;
import io.herald.gateway.problems.ApiProblem;
import io.herald.gateway.security.ApiKeys;
import io.herald.gateway.security.RateLimits;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The upstream apps' API. {@code POST /v1/events}: one event, checked in this order: API key (401),
 * content type (415), size (413), JSON (400), the DomainEvent schema and push payload limit (400, the wrong
 * field named), the key's allowed event types (403), an id or {@code Idempotency-Key} used in the last 24 hours
 * for a different event (422, {@code idempotency-conflict}), the app's rate limit, in notifications: one per
 * recipient (429 with {@code Retry-After}); answered {@code 202} with the event id once Kafka has it (a retry
 * of an accepted event gets the same answer and publishes nothing), {@code 503} with {@code Retry-After} when
 * Kafka does not answer in time. {@code POST /v1/events/batch}: up to 500 events, a result per event. {@code GET /v1/events/{eventId}}: what became of an event the app
 * published. {@code DELETE /v1/events/{eventId}}: cancels one of the app's events waiting for its {@code
 * deliverAt}. Delivery never happens here.
 */
@RestController
class EventsController {

    static final int MAX_BATCH = 500;

    private final ApiKeys apiKeys;
    private final EventValidator validator;
    private final EventPublisher publisher;
    private final RecentlyAccepted recent;
    private final Downstream tokenService;
    private final GatewayProperties properties;
    private final RateLimits rateLimits;
    private final MeterRegistry meters;

    EventsController(
            ApiKeys apiKeys,
            EventValidator validator,
            EventPublisher publisher,
            RecentlyAccepted recent,
            @Qualifier("tokenService") Downstream tokenService,
            GatewayProperties properties,
            RateLimits rateLimits,
            MeterRegistry meters) {
        this.rateLimits = rateLimits;
        this.meters = meters;
        this.apiKeys = apiKeys;
        this.validator = validator;
        this.publisher = publisher;
        this.recent = recent;
        this.tokenService = tokenService;
        this.properties = properties;
    }

    /** The answer to an accepted event. */
    record Accepted(UUID eventId) {}

    @PostMapping("/v1/events")
    ResponseEntity<Accepted> publish(
            @RequestHeader(name = "X-Api-Key", required = false) @Nullable String key,
            @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            HttpServletRequest request) {
        ApiKeys.App app;
        DomainEvent event;
        RecentlyAccepted.Seen seen;
        byte[] fingerprint;
        try {
            app = authenticate(key);
            requireJson(request);
            JsonNode tree =
                    parse(readLimited(request, properties.maxRequestSize().toBytes()));
            boolean occurredAtGiven = tree.hasNonNull("occurredAt");
            event = validator.validate(tree, app, idempotencyKey);
            fingerprint = EventFingerprint.of(event, occurredAtGiven);
            seen = recent.check(app.name(), event.eventId(), fingerprint);
            if (seen == RecentlyAccepted.Seen.CONFLICT) {
                throw conflict(idempotencyKey != null ? "Idempotency-Key" : "eventId");
            }
            // The rate limit filter has taken one notification for the request.
            Optional<Duration> wait = rateLimits.takeForApp(app.name(), cost(event), 1);
            if (wait.isPresent()) {
                throw RateLimits.tooMany("API key", wait.get());
            }
        } catch (ApiProblem problem) {
            rejected(problem);
            throw problem;
        }
        if (seen == RecentlyAccepted.Seen.NEW) {
            publisher.publish(event);
            recent.add(app.name(), event.eventId(), fingerprint);
        }
        meters.counter("herald.gateway.events", "outcome", "accepted", "reason", "none")
                .increment();
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new Accepted(event.eventId()));
    }

    /** One event's result in a batch: {@code status} 202, or the 4xx/503 with its problem. */
    record Result(
            int index,
            int status,
            @Nullable UUID eventId,
            @Nullable Map<String, Object> problem) {}

    record BatchResults(int accepted, int refused, List<Result> results) {}

    /**
     * Every event is validated on its own; then, in order, each valid event takes its recipients from the app's
     * rate limit: from the first that does not fit on, the valid events are refused with 429 (and the answer
     * carries {@code Retry-After}); a batch of which the limit let nothing through is answered 429 as a whole.
     */
    @PostMapping("/v1/events/batch")
    ResponseEntity<BatchResults> publishBatch(
            @RequestHeader(name = "X-Api-Key", required = false) @Nullable String key, HttpServletRequest request) {
        ApiKeys.App app = authenticate(key);
        requireJson(request);
        JsonNode body =
                parse(readLimited(request, properties.maxBatchRequestSize().toBytes()));
        JsonNode events = body.path("events");
        if (!events.isArray() || events.isEmpty() || events.size() > MAX_BATCH) {
            throw new ApiProblem(
                            HttpStatus.BAD_REQUEST,
                            "invalid-batch",
                            "Invalid batch",
                            "send {\"events\": [...]} with 1 to " + MAX_BATCH + " events")
                    .with("field", "events");
        }
        Result[] results = new Result[events.size()];
        List<DomainEvent> toPublish = new ArrayList<>();
        List<byte[]> fingerprints = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        Map<UUID, byte[]> inThisBatch = new HashMap<>();
        long credit = 1; // what the rate limit filter took for the request
        Duration limitedFor = null;
        for (int i = 0; i < events.size(); i++) {
            try {
                boolean occurredAtGiven = events.get(i).hasNonNull("occurredAt");
                DomainEvent event = validator.validate(events.get(i), app, null);
                byte[] fingerprint = EventFingerprint.of(event, occurredAtGiven);
                RecentlyAccepted.Seen seen = recent.check(app.name(), event.eventId(), fingerprint);
                byte[] earlier = inThisBatch.get(event.eventId());
                if (seen == RecentlyAccepted.Seen.CONFLICT
                        || (earlier != null && !MessageDigest.isEqual(earlier, fingerprint))) {
                    throw conflict("eventId");
                }
                if (limitedFor == null) {
                    long cost = cost(event);
                    long paid = Math.min(credit, cost);
                    Optional<Duration> wait = rateLimits.takeForApp(app.name(), cost, paid);
                    credit -= paid;
                    limitedFor = wait.orElse(null);
                }
                if (limitedFor != null) {
                    throw RateLimits.tooMany("API key", limitedFor);
                }
                if (seen == RecentlyAccepted.Seen.SAME || earlier != null) {
                    results[i] = new Result(i, 202, event.eventId(), null);
                } else {
                    inThisBatch.put(event.eventId(), fingerprint);
                    toPublish.add(event);
                    fingerprints.add(fingerprint);
                    positions.add(i);
                }
            } catch (ApiProblem problem) {
                rejected(problem);
                results[i] = new Result(i, problem.status().value(), null, asMap(problem));
            }
        }
        if (limitedFor != null
                && Arrays.stream(results).noneMatch(r -> r != null && r.status() == 202)
                && toPublish.isEmpty()) {
            throw RateLimits.tooMany("API key", limitedFor);
        }
        List<Boolean> acknowledged = publisher.publishAll(toPublish);
        int published = 0;
        for (int j = 0; j < toPublish.size(); j++) {
            DomainEvent event = toPublish.get(j);
            int i = positions.get(j);
            if (acknowledged.get(j)) {
                recent.add(app.name(), event.eventId(), fingerprints.get(j));
                published++;
                results[i] = new Result(i, 202, event.eventId(), null);
            } else {
                results[i] = new Result(i, 503, event.eventId(), asMap(ApiProblem.unavailable("Kafka")));
            }
        }
        meters.counter("herald.gateway.events", "outcome", "accepted", "reason", "none")
                .increment(published);
        int accepted =
                (int) Arrays.stream(results).filter(r -> r.status() == 202).count();
        var answer = ResponseEntity.ok();
        if (limitedFor != null) {
            answer.header(HttpHeaders.RETRY_AFTER, Long.toString(RateLimits.retryAfterSeconds(limitedFor)));
        }
        return answer.body(new BatchResults(accepted, results.length - accepted, List.of(results)));
    }

    /**
     * What an event costs against the app's rate limit: one notification per listed recipient, and one per topic it
     * names. A topic's subscribers are not counted (the gateway does not know how many there are): a topic's fan-out
     * is bounded by token-service's chunked throughput instead, and who may reach a topic is the deployment's choice
     * of which apps hold keys.
     */
    static long cost(DomainEvent event) {
        List<String> topics = event.topics();
        return (long) event.recipients().size() + (topics == null ? 0 : topics.size());
    }

    static ApiProblem conflict(String field) {
        return new ApiProblem(
                        HttpStatus.UNPROCESSABLE_CONTENT,
                        "idempotency-conflict",
                        "Idempotency key reused",
                        "this " + field + " was used within the last 24 hours for a different event; a new event"
                                + " needs a new " + field)
                .with("field", field);
    }

    /** What became of one of this app's events (token-service's delivery log). */
    @GetMapping("/v1/events/{eventId}")
    ResponseEntity<byte[]> status(
            @RequestHeader(name = "X-Api-Key", required = false) @Nullable String key, @PathVariable UUID eventId) {
        ApiKeys.App app = authenticate(key);
        // Only this app's event under the id: another app may have used the same id for one of its own.
        ResponseEntity<byte[]> answer = tokenService.forward(
                HttpMethod.GET,
                "/internal/v1/events/" + eventId + "/deliveries?source="
                        + UriUtils.encodeQueryParam(app.name(), StandardCharsets.UTF_8),
                null);
        if (answer.getStatusCode().is2xxSuccessful() && answer.getBody() != null) {
            JsonNode log = HeraldJson.mapper().readTree(answer.getBody());
            if (!app.name().equals(log.path("source").asString(""))) {
                // Another app's event: as if it did not exist.
                throw new ApiProblem(
                        HttpStatus.NOT_FOUND, "event-not-found", "Event not found", "no such event of yours");
            }
        }
        return answer;
    }

    /**
     * Cancels one of this app's scheduled events while it waits for its {@code deliverAt} (token-service's {@code
     * DELETE /internal/v1/events/{eventId}/schedule}): 204 when it was cancelled and will not be delivered; 404
     * {@code event-not-scheduled} when none of the app's events waits under this id (delivered or being delivered,
     * never scheduled, cancelled before, or another app's).
     */
    @DeleteMapping("/v1/events/{eventId}")
    ResponseEntity<byte[]> cancel(
            @RequestHeader(name = "X-Api-Key", required = false) @Nullable String key, @PathVariable UUID eventId) {
        ApiKeys.App app = authenticate(key);
        // Only this app's event under the id: token-service looks it up by app and id.
        return tokenService.forward(
                HttpMethod.DELETE,
                "/internal/v1/events/" + eventId + "/schedule?source="
                        + UriUtils.encodeQueryParam(app.name(), StandardCharsets.UTF_8),
                null);
    }

    /** Counts a refused event by the kind of its problem (the last part of its type). */
    private void rejected(ApiProblem problem) {
        String type = String.valueOf(problem.detail().getType());
        meters.counter(
                        "herald.gateway.events",
                        "outcome",
                        "rejected",
                        "reason",
                        type.substring(type.lastIndexOf('/') + 1))
                .increment();
    }

    private ApiKeys.App authenticate(@Nullable String key) {
        return apiKeys.authenticate(key)
                .orElseThrow(() -> new ApiProblem(
                        HttpStatus.UNAUTHORIZED,
                        "unauthenticated",
                        "API key required",
                        "send a valid API key in the X-Api-Key header"));
    }

    private static Map<String, Object> asMap(ApiProblem problem) {
        var detail = problem.detail();
        var map = new LinkedHashMap<String, Object>();
        map.put("type", String.valueOf(detail.getType()));
        map.put("title", String.valueOf(detail.getTitle()));
        map.put("status", detail.getStatus());
        map.put("detail", String.valueOf(detail.getDetail()));
        if (detail.getProperties() != null) {
            map.putAll(detail.getProperties());
        }
        return map;
    }

    static void requireJson(HttpServletRequest request) {
        String type = request.getContentType();
        MediaType media;
        try {
            media = type == null ? null : MediaType.parseMediaType(type);
        } catch (IllegalArgumentException e) {
            media = null;
        }
        if (media == null
                || !(media.isCompatibleWith(MediaType.APPLICATION_JSON)
                        || media.getSubtype().endsWith("+json"))) {
            throw new ApiProblem(
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type",
                    "Unsupported media type",
                    "send events as application/json");
        }
    }

    static byte[] readLimited(HttpServletRequest request, long max) {
        if (request.getContentLengthLong() > max) {
            throw tooLarge(max);
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (body.length > max) {
                throw tooLarge(max);
            }
            return body;
        } catch (IOException e) {
            throw new ApiProblem(
                    HttpStatus.BAD_REQUEST, "invalid-request", "Unreadable request", "the body could not be read");
        }
    }

    private static ApiProblem tooLarge(long max) {
        return new ApiProblem(
                HttpStatus.CONTENT_TOO_LARGE,
                "request-too-large",
                "Request too large",
                "the body is larger than " + max + " bytes");
    }

    static JsonNode parse(byte[] body) {
        try {
            return HeraldJson.mapper().readTree(body);
        } catch (JacksonException e) {
            throw new ApiProblem(
                    HttpStatus.BAD_REQUEST,
                    "invalid-json",
                    "Invalid JSON",
                    "the body is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
