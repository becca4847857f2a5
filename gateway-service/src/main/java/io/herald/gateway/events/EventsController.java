package io.herald.gateway.events;

import io.herald.events.DomainEvent;
import io.herald.events.DomainEventDeserializer;
import io.herald.events.DomainEventSchema;
import io.herald.events.HeraldJson;
import io.herald.events.RejectedRecordException;
import io.herald.events.Topics;
import io.herald.gateway.GatewayProperties;
import io.herald.gateway.problems.ApiProblem;
import io.herald.gateway.security.ApiKeys;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/events}: an upstream app publishes one domain event. Checked in this order: API key (401),
 * content type (415), size (413), JSON (400), the DomainEvent schema (400, each violation named), the key's
 * allowed event types (403). Answered {@code 202} with the event id once Kafka has acknowledged the event;
 * {@code 503} with {@code Retry-After} when Kafka does not answer in time. Delivery never happens here.
 */
@RestController
class EventsController {

    private static final Logger log = LoggerFactory.getLogger(EventsController.class);

    private final ApiKeys apiKeys;
    private final KafkaTemplate<String, Object> kafka;
    private final GatewayProperties properties;
    private final Clock clock;

    EventsController(ApiKeys apiKeys, KafkaTemplate<String, Object> kafka, GatewayProperties properties, Clock clock) {
        this.apiKeys = apiKeys;
        this.kafka = kafka;
        this.properties = properties;
        this.clock = clock;
    }

    /** The answer to an accepted event. */
    record Accepted(UUID eventId) {}

    @PostMapping("/v1/events")
    ResponseEntity<Accepted> publish(
            @RequestHeader(name = "X-Api-Key", required = false) @Nullable String key, HttpServletRequest request) {
        ApiKeys.App app = apiKeys.authenticate(key)
                .orElseThrow(() -> new ApiProblem(
                        HttpStatus.UNAUTHORIZED,
                        "unauthenticated",
                        "API key required",
                        "send a valid API key in the X-Api-Key header"));
        requireJson(request);
        JsonNode tree = parse(readLimited(request));
        if (!(tree instanceof ObjectNode event)) {
            throw new ApiProblem(
                    HttpStatus.BAD_REQUEST, "invalid-event", "Invalid event", "the body must be a JSON object");
        }
        if (!event.hasNonNull("eventId")) {
            event.put("eventId", UUID.randomUUID().toString());
        }
        if (!event.hasNonNull("schemaVersion")) {
            event.put("schemaVersion", DomainEvent.SCHEMA_VERSION);
        }
        if (!event.hasNonNull("occurredAt")) {
            event.put("occurredAt", clock.instant().toString());
        }
        event.put("source", app.name());
        List<String> violations = DomainEventSchema.violations(event);
        if (!violations.isEmpty()) {
            throw new ApiProblem(
                            HttpStatus.BAD_REQUEST,
                            "invalid-event",
                            "Invalid event",
                            "the event does not match the DomainEvent schema: " + violations.getFirst())
                    .with(
                            "errors",
                            violations.stream().map(v -> Map.of("message", v)).toList());
        }
        DomainEvent domainEvent;
        try {
            domainEvent = DomainEventDeserializer.fromTree(event);
        } catch (RejectedRecordException e) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-event", "Invalid event", e.getMessage());
        }
        if (!app.mayPublish(domainEvent.type())) {
            throw new ApiProblem(
                            HttpStatus.FORBIDDEN,
                            "event-type-not-allowed",
                            "Event type not allowed",
                            "this API key may not publish events of type " + domainEvent.type())
                    .with("field", "type");
        }
        send(domainEvent);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new Accepted(domainEvent.eventId()));
    }

    private void send(DomainEvent event) {
        try {
            kafka.send(Topics.EVENTS, event.eventId().toString(), event)
                    .get(properties.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiProblem.unavailable("Kafka");
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.warn("event {} not published: {}", event.eventId(), e.toString());
            throw ApiProblem.unavailable("Kafka");
        }
        log.debug("event {} of type {} published", event.eventId(), event.type());
    }

    private static void requireJson(HttpServletRequest request) {
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
                    "send the event as application/json");
        }
    }

    private byte[] readLimited(HttpServletRequest request) {
        long max = properties.maxRequestSize().toBytes();
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

    private static JsonNode parse(byte[] body) {
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
