package io.herald.gateway.events;

import io.herald.events.DomainEvent;
import io.herald.events.DomainEventDeserializer;
import io.herald.events.DomainEventSchema;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.RejectedRecordException;
import io.herald.events.TextRules;
import io.herald.gateway.problems.ApiProblem;
import io.herald.gateway.security.ApiKeys;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns one JSON event from an upstream app into a {@link DomainEvent}, or says precisely what is wrong with
 * it. Fills {@code eventId} (derived from an idempotency key when there is one, see {@link IdempotencyIds}),
 * {@code schemaVersion},
 * {@code occurredAt} and {@code source}. Refuses a {@code deliverAt} further ahead than {@code
 * herald.gateway.schedule.max-ahead}, and a {@code deliverAtLocal} whose earliest instant (in the zone of UTC+14) is
 * further ahead than that (recipients further west get it up to 26 hours later).
 */
@Component
class EventValidator {

    /** FCM's limit for a push's notification and data; an event whose words and data exceed it is refused. */
    static final int MAX_PUSH_PAYLOAD_BYTES = 4096;

    /**
     * The most advanced offset a time zone has (Kiribati's): a local time comes there first, so a {@code
     * deliverAtLocal} is refused only when even its earliest instant is more than {@code max-ahead} away.
     */
    static final ZoneOffset EARLIEST_OFFSET = ZoneOffset.ofHours(14);

    private final Clock clock;
    private final IdempotencyIds idempotencyIds;
    private final ScheduleProperties schedule;

    EventValidator(Clock clock, IdempotencyIds idempotencyIds, ScheduleProperties schedule) {
        this.clock = clock;
        this.idempotencyIds = idempotencyIds;
        this.schedule = schedule;
    }

    DomainEvent validate(JsonNode tree, ApiKeys.App app, @Nullable String idempotencyKey) {
        return validate(tree, app, idempotencyKey, true);
    }

    /**
     * As {@link #validate(JsonNode, ApiKeys.App, String)}; {@code checkType} {@code false} skips the key's
     * allowed event types, for a withdrawal or update whose type the gateway chose itself (the app acts on its own
     * earlier event, whose type was checked when it was published).
     */
    DomainEvent validate(JsonNode tree, ApiKeys.App app, @Nullable String idempotencyKey, boolean checkType) {
        if (!(tree instanceof ObjectNode event)) {
            throw invalid("the event must be a JSON object", null);
        }
        if (idempotencyKey != null) {
            if (idempotencyKey.isBlank() || idempotencyKey.length() > 200) {
                throw invalid("Idempotency-Key must be 1 to 200 characters", "Idempotency-Key");
            }
            String derived = idempotencyIds.eventId(app.name(), idempotencyKey).toString();
            if (event.hasNonNull("eventId")
                    && !event.path("eventId").asString("").equals(derived)) {
                throw invalid("send either an Idempotency-Key or an eventId, not both", "eventId");
            }
            event.put("eventId", derived);
        }
        if (!event.hasNonNull("eventId")) {
            event.put("eventId", Ids.newEventId().toString());
        }
        if (!event.hasNonNull("schemaVersion")) {
            event.put("schemaVersion", DomainEvent.SCHEMA_VERSION);
        }
        if (!event.hasNonNull("occurredAt")) {
            event.put("occurredAt", clock.instant().toString());
        }
        event.put("source", app.name());
        // Herald's rule for text before the schema, so that a control character is named as such, with its field.
        TextRules.Violation invalidText = TextRules.check(event);
        if (invalidText != null) {
            throw invalid(invalidText.message(), invalidText.field());
        }
        List<String> violations = DomainEventSchema.violations(event);
        if (!violations.isEmpty()) {
            throw invalid("the event does not match the DomainEvent schema: " + violations.getFirst(), null)
                    .with(
                            "errors",
                            violations.stream().map(v -> Map.of("message", v)).toList());
        }
        DomainEvent domainEvent;
        try {
            domainEvent = DomainEventDeserializer.fromTree(event);
        } catch (RejectedRecordException e) {
            throw invalid(String.valueOf(e.getMessage()), null);
        }
        int payload = HeraldJson.mapper()
                .writeValueAsBytes(Map.of(
                        "title", String.valueOf(domainEvent.title()),
                        "body", String.valueOf(domainEvent.body()),
                        "data", domainEvent.data()))
                .length;
        if (payload > MAX_PUSH_PAYLOAD_BYTES) {
            throw invalid(
                    "title, body and data together exceed the " + MAX_PUSH_PAYLOAD_BYTES
                            + " bytes a push notification may carry",
                    "data");
        }
        Instant deliverAt = domainEvent.deliverAt();
        if (deliverAt != null && deliverAt.isAfter(clock.instant().plus(schedule.maxAhead()))) {
            throw invalid(
                    "deliverAt is more than " + schedule.maxAhead().toDays() + " days ahead (the most an event may"
                            + " wait); a past or present deliverAt is delivered at once",
                    "deliverAt");
        }
        LocalDateTime deliverAtLocal = domainEvent.deliverAtLocal();
        if (deliverAtLocal != null
                && deliverAtLocal
                        .toInstant(EARLIEST_OFFSET)
                        .isAfter(clock.instant().plus(schedule.maxAhead()))) {
            throw invalid(
                    "deliverAtLocal is more than " + schedule.maxAhead().toDays() + " days ahead in every time zone"
                            + " (the most an event may wait); a past or present local time is delivered at once",
                    "deliverAtLocal");
        }
        if (checkType && !app.mayPublish(domainEvent.type())) {
            throw new ApiProblem(
                            HttpStatus.FORBIDDEN,
                            "event-type-not-allowed",
                            "Event type not allowed",
                            "this API key may not publish events of type " + domainEvent.type())
                    .with("field", "type");
        }
        return domainEvent;
    }

    private static ApiProblem invalid(String detail, @Nullable String field) {
        var problem = new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-event", "Invalid event", detail);
        return field == null ? problem : problem.with("field", field);
    }
}
