package io.herald.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JsonRoundTripTest {

    private static final UUID EVENT = UUID.fromString("6f1c2b1e-8a4d-4c3e-9b0a-2d5f7e8c9a10");

    @Test
    void domainEventIsWrittenAsPlainJsonThatValidatesAgainstTheSchema() {
        DomainEvent event = new DomainEvent(
                EVENT,
                1,
                "chat",
                "chat-app",
                Instant.parse("2026-11-24T10:00:00Z"),
                new DomainEvent.Actor("u-1", "Ada"),
                List.of("u-2"),
                null,
                Map.of("chatId", "c-9"),
                null,
                null,
                Priority.HIGH,
                3600,
                "chat-c-9",
                Set.of(Channel.PUSH));

        byte[] json = new JsonSerializer<DomainEvent>().serialize(Topics.EVENTS, event);
        String text = new String(json, StandardCharsets.UTF_8);

        assertThat(text)
                .contains("\"occurredAt\":\"2026-11-24T10:00:00Z\"")
                .contains("\"priority\":\"high\"")
                .contains("\"channels\":[\"push\"]")
                .doesNotContain("@class")
                .doesNotContain("\"title\"");
        assertThat(DomainEventDeserializer.parse(json)).isEqualTo(event);
    }

    @Test
    void deliverAtTravelsAsAnIsoInstantAndIsAbsentWhenUnset() {
        DomainEvent now = new DomainEvent(
                EVENT,
                1,
                "chat",
                "chat-app",
                Instant.parse("2026-11-24T10:00:00Z"),
                null,
                List.of("u-2"),
                null,
                Map.of(),
                "Hi",
                "there",
                null,
                null,
                null,
                null);
        DomainEvent later = new DomainEvent(
                EVENT,
                1,
                "chat",
                "chat-app",
                Instant.parse("2026-11-24T10:00:00Z"),
                null,
                List.of("u-2"),
                null,
                Map.of(),
                "Hi",
                "there",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                Instant.parse("2026-12-24T08:00:00Z"));

        byte[] json = new JsonSerializer<DomainEvent>().serialize(Topics.EVENTS, later);

        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"deliverAt\":\"2026-12-24T08:00:00Z\"");
        assertThat(DomainEventDeserializer.parse(json)).isEqualTo(later);
        assertThat(new String(new JsonSerializer<DomainEvent>().serialize(Topics.EVENTS, now), StandardCharsets.UTF_8))
                .doesNotContain("deliverAt");
        assertThat(now.deliverAt()).isNull();
    }

    @Test
    void deliveryStatusOutcomeIsSnakeCaseOnTheWire() {
        DeliveryStatus status = new DeliveryStatus(
                EVENT,
                1,
                Instant.parse("2026-11-24T10:00:00Z"),
                "u-2",
                Channel.PUSH,
                null,
                null,
                Provider.FCM,
                DeliveryStatus.Outcome.DEAD_LETTERED,
                "out of retries",
                "dispatch-service");

        byte[] json = new JsonSerializer<DeliveryStatus>().serialize(Topics.DELIVERY_STATUS, status);

        assertThat(new String(json, StandardCharsets.UTF_8))
                .contains("\"outcome\":\"dead_lettered\"")
                .contains("\"provider\":\"fcm\"");
        assertThat(new JsonDeserializer<>(DeliveryStatus.class).deserialize(Topics.DELIVERY_STATUS, json))
                .isEqualTo(status);
    }

    @Test
    void recordOfTheWrongShapeIsRejectedWithAReason() {
        byte[] json = "{\"deliveryId\": 5, \"outcome\": \"exploded\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> new JsonDeserializer<>(DeliveryStatus.class).deserialize("t", json))
                .isInstanceOfSatisfying(RejectedRecordException.class, e -> {
                    assertThat(e.code()).isEqualTo(RejectedRecordException.INVALID_JSON);
                    assertThat(e.getMessage()).contains("DeliveryStatus");
                });
    }

    @Test
    void aLocalTimeAndTopicsRoundTrip() {
        DomainEvent forTopics = new DomainEvent(
                        EVENT,
                        1,
                        "real_estate",
                        "flats",
                        Instant.parse("2026-11-24T10:00:00Z"),
                        null,
                        List.of(),
                        null,
                        Map.of(),
                        "New flat",
                        "In Paris",
                        null,
                        null,
                        null,
                        null)
                .withRecipients(List.of());
        DomainEvent local = new DomainEvent(
                forTopics.eventId(),
                1,
                "real_estate",
                "flats",
                forTopics.occurredAt(),
                null,
                List.of(),
                null,
                Map.of(),
                "New flat",
                "In Paris",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                java.time.LocalDateTime.parse("2026-12-24T08:00"),
                List.of("paris-real-estate"));

        byte[] json = new JsonSerializer<DomainEvent>().serialize(Topics.EVENTS, local);

        assertThat(new String(json, StandardCharsets.UTF_8))
                .contains("\"deliverAtLocal\":\"2026-12-24T08:00:00\"")
                .contains("\"topics\":[\"paris-real-estate\"]");
        assertThat(DomainEventDeserializer.parse(json)).isEqualTo(local);
        assertThat(local.withDeliverAt(Instant.parse("2026-12-24T07:00:00Z")).deliverAtLocal())
                .isNull();
        assertThat(local.withRecipients(List.of("u-1")).topics()).isNull();
        assertThat(new String(
                        new JsonSerializer<DomainEvent>().serialize(Topics.EVENTS, forTopics), StandardCharsets.UTF_8))
                .doesNotContain("topics")
                .doesNotContain("deliverAtLocal");
    }
}
