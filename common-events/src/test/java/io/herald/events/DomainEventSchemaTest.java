package io.herald.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class DomainEventSchemaTest {

    private static byte[] example(String name) throws IOException {
        try (InputStream in = DomainEventSchemaTest.class.getResourceAsStream("/examples/" + name)) {
            return in.readAllBytes();
        }
    }

    private static ObjectNode goodEvent() throws IOException {
        return (ObjectNode) HeraldJson.mapper().readTree(example("product_like.json"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"product_like.json", "booking_status_minimal.json"})
    void shippedExamplesAreValid(String name) throws IOException {
        JsonNode tree = HeraldJson.mapper().readTree(example(name));
        assertThat(DomainEventSchema.violations(tree)).isEmpty();
    }

    @Test
    void aValidEventParsesIntoTheRecord() throws IOException {
        DomainEvent event = DomainEventDeserializer.parse(example("product_like.json"));

        assertThat(event.eventId()).isEqualTo(UUID.fromString("6f1c2b1e-8a4d-4c3e-9b0a-2d5f7e8c9a10"));
        assertThat(event.type()).isEqualTo("product_like");
        assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-24T10:15:30Z"));
        assertThat(event.actor()).isEqualTo(new DomainEvent.Actor("u-ada", "Ada"));
        assertThat(event.recipients()).containsExactly("u-bob");
        assertThat(event.object()).isEqualTo(new DomainEvent.EventObject("p-42", "product", "Blue bicycle"));
        assertThat(event.data()).containsEntry("deeplink", "market://products/p-42");
        assertThat(event.priority()).isEqualTo(Priority.NORMAL);
        assertThat(event.channels()).isNull();
        assertThat(event.wants(Channel.PUSH)).isTrue();
    }

    @Test
    void aMinimalEventWithAnOffsetTimestampParses() throws IOException {
        DomainEvent event = DomainEventDeserializer.parse(example("booking_status_minimal.json"));

        assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-24T09:15:30.123Z"));
        assertThat(event.actor()).isNull();
        assertThat(event.data()).isEmpty();
    }

    @Test
    void deliverAtWithAnOffsetParsesIntoAnInstant() throws IOException {
        ObjectNode event = goodEvent();
        event.put("deliverAt", "2026-12-24T09:00:00+01:00");

        assertThat(DomainEventDeserializer.fromTree(event).deliverAt())
                .isEqualTo(Instant.parse("2026-12-24T08:00:00Z"));
        assertThat(DomainEventDeserializer.parse(example("product_like.json")).deliverAt())
                .isNull();
    }

    static Stream<Arguments> badEvents() {
        return Stream.of(
                Arguments.of("eventId missing", (Mutation) e -> e.remove("eventId"), "eventId"),
                Arguments.of("eventId not a UUID", (Mutation) e -> e.put("eventId", "42"), "eventId"),
                Arguments.of("type missing", (Mutation) e -> e.remove("type"), "type"),
                Arguments.of("type with spaces", (Mutation) e -> e.put("type", "Product Like"), "type"),
                Arguments.of("schemaVersion 2", (Mutation) e -> e.put("schemaVersion", 2), "schemaVersion"),
                Arguments.of("occurredAt not a date", (Mutation) e -> e.put("occurredAt", "yesterday"), "occurredAt"),
                Arguments.of("deliverAt not a date", (Mutation) e -> e.put("deliverAt", "tomorrow"), "deliverAt"),
                Arguments.of("deliverAt a number", (Mutation) e -> e.put("deliverAt", 1767225600), "deliverAt"),
                Arguments.of("recipients empty", (Mutation) e -> e.putArray("recipients"), "recipients"),
                Arguments.of(
                        "recipients not strings",
                        (Mutation) e -> e.putArray("recipients").add(7),
                        "recipients"),
                Arguments.of(
                        "too many recipients",
                        (Mutation) e -> {
                            ArrayNode many = e.putArray("recipients");
                            Collections.nCopies(DomainEvent.MAX_RECIPIENTS + 1, "u")
                                    .forEach(many::add);
                        },
                        "recipients"),
                Arguments.of(
                        "data value a number",
                        (Mutation) e -> e.putObject("data").put("n", 1),
                        "data"),
                Arguments.of("priority unknown", (Mutation) e -> e.put("priority", "urgent"), "priority"),
                Arguments.of(
                        "channel unknown",
                        (Mutation) e -> e.putArray("channels").add("sms"),
                        "channels"),
                Arguments.of(
                        "actor without id", (Mutation) e -> e.putObject("actor").put("displayName", "x"), "actor"),
                Arguments.of(
                        "image over http", (Mutation) e -> e.put("imageUrl", "http://cdn.example/a.png"), "imageUrl"),
                Arguments.of("badge a word", (Mutation) e -> e.put("badge", "many"), "badge"),
                Arguments.of("badge negative", (Mutation) e -> e.put("badge", -1), "badge"),
                Arguments.of("sound a path", (Mutation) e -> e.put("sound", "../tone.wav"), "sound"),
                Arguments.of(
                        "four actions",
                        (Mutation) e -> {
                            ArrayNode actions = e.putArray("actions");
                            for (int i = 0; i < 4; i++) {
                                actions.addObject().put("id", "a" + i).put("title", "A" + i);
                            }
                        },
                        "actions"),
                Arguments.of(
                        "action without title",
                        (Mutation) e -> e.putArray("actions").addObject().put("id", "accept"),
                        "actions"),
                Arguments.of(
                        "change naming both an event and a collapse key",
                        (Mutation) e -> e.putObject("change")
                                .put("kind", "withdraw")
                                .put("eventId", "6f1c2b1e-8a4d-4c3e-9b0a-2d5f7e8c9a10")
                                .put("collapseKey", "k"),
                        "change"),
                Arguments.of(
                        "update by collapse key",
                        (Mutation)
                                e -> e.putObject("change").put("kind", "update").put("collapseKey", "k"),
                        "change"),
                Arguments.of(
                        "change of unknown kind",
                        (Mutation) e -> e.putObject("change")
                                .put("kind", "delete")
                                .put("eventId", "6f1c2b1e-8a4d-4c3e-9b0a-2d5f7e8c9a10"),
                        "change"));
    }

    interface Mutation {
        void apply(ObjectNode event);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEvents")
    void schemaRefusesBadEventsNamingTheField(String description, Mutation mutation, String field) throws IOException {
        ObjectNode event = goodEvent();
        mutation.apply(event);

        assertThat(DomainEventSchema.violations(event))
                .anySatisfy(v -> assertThat(v).contains(field));
        assertThatThrownBy(() -> DomainEventDeserializer.fromTree(event))
                .isInstanceOfSatisfying(RejectedRecordException.class, e -> {
                    assertThat(e.code()).isEqualTo(RejectedRecordException.SCHEMA_VIOLATION);
                    assertThat(e.getMessage()).contains(field);
                });
    }

    @Test
    void bytesThatAreNotJsonAreRejectedAsInvalidJson() {
        assertThatThrownBy(() -> DomainEventDeserializer.parse("{\"eventId\": ".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        RejectedRecordException.class,
                        e -> assertThat(e.code()).isEqualTo(RejectedRecordException.INVALID_JSON));
    }

    @Test
    void richFieldsAndChangesParseIntoTheRecord() throws IOException {
        ObjectNode event = goodEvent();
        event.put("imageUrl", "https://cdn.example/p-42.png");
        event.put("link", "market://products/p-42");
        event.put("sound", "notificationtone.wav");
        event.put("badge", "unread");
        event.put("silent", true);
        event.putArray("actions").addObject().put("id", "accept").put("title", "Accept");
        event.putObject("change").put("kind", "withdraw").put("collapseKey", "order-7");

        DomainEvent parsed = DomainEventDeserializer.fromTree(event);

        assertThat(parsed.imageUrl()).isEqualTo("https://cdn.example/p-42.png");
        assertThat(parsed.link()).isEqualTo("market://products/p-42");
        assertThat(parsed.sound()).isEqualTo("notificationtone.wav");
        assertThat(parsed.badge()).isEqualTo(Badge.UNREAD);
        assertThat(parsed.silent()).isTrue();
        assertThat(parsed.actions()).containsExactly(new Action("accept", "Accept"));
        assertThat(parsed.change()).isEqualTo(Change.withdrawCollapseKey("order-7"));

        event.put("badge", 3);
        event.putObject("change").put("kind", "update").put("eventId", "6f1c2b1e-8a4d-4c3e-9b0a-2d5f7e8c9a10");
        DomainEvent updated = DomainEventDeserializer.fromTree(event);
        assertThat(updated.badge()).isEqualTo(Badge.of(3));
        assertThat(updated.change()).isEqualTo(Change.update(UUID.fromString("6f1c2b1e-8a4d-4c3e-9b0a-2d5f7e8c9a10")));
        assertThat(HeraldJson.mapper()
                        .readTree(HeraldJson.mapper().writeValueAsBytes(updated))
                        .path("badge")
                        .asInt())
                .isEqualTo(3);
    }

    @Test
    void anEventWithoutTheNewFieldsIsNotSilentAndChangesNothing() throws IOException {
        DomainEvent event = DomainEventDeserializer.fromTree(goodEvent());

        assertThat(event.silent()).isFalse();
        assertThat(event.change()).isNull();
        assertThat(event.badge()).isNull();
    }

    @Test
    void unknownPropertiesAreAllowedForForwardCompatibility() throws IOException {
        ObjectNode event = goodEvent();
        event.put("addedInAFutureVersion", true);

        assertThat(DomainEventDeserializer.fromTree(event).type()).isEqualTo("product_like");
    }

    @Test
    void anEventForTopicsNeedsNoRecipients() throws IOException {
        ObjectNode event = goodEvent();
        event.remove("recipients");
        event.putArray("topics").add("paris-real-estate").add("city:paris");

        DomainEvent parsed = DomainEventDeserializer.fromTree(event);

        assertThat(parsed.recipients()).isEmpty();
        assertThat(parsed.topics()).containsExactly("paris-real-estate", "city:paris");
    }

    @Test
    void anEventNamesRecipientsOrTopics() throws IOException {
        ObjectNode noOne = goodEvent();
        noOne.remove("recipients");
        ObjectNode emptyBoth = goodEvent();
        emptyBoth.putArray("recipients");
        emptyBoth.putArray("topics");
        ObjectNode nullRecipients = goodEvent();
        nullRecipients.putNull("recipients");

        assertThat(DomainEventSchema.violations(noOne)).isNotEmpty();
        assertThat(DomainEventSchema.violations(emptyBoth)).isNotEmpty();
        assertThat(DomainEventSchema.violations(nullRecipients)).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "", "with space", "café"})
    void aTopicIsAPathSafeName(String topic) throws IOException {
        ObjectNode event = goodEvent();
        event.putArray("topics").add(topic);

        assertThat(DomainEventSchema.violations(event)).isNotEmpty();
    }

    @Test
    void aLocalDeliveryTimeParsesAndExcludesAnInstant() throws IOException {
        ObjectNode local = goodEvent();
        local.put("deliverAtLocal", "2026-12-24T08:00");
        ObjectNode both = goodEvent();
        both.put("deliverAtLocal", "2026-12-24T08:00:00");
        both.put("deliverAt", "2026-12-24T08:00:00Z");
        ObjectNode zoned = goodEvent();
        zoned.put("deliverAtLocal", "2026-12-24T08:00:00Z");

        assertThat(DomainEventDeserializer.fromTree(local).deliverAtLocal())
                .isEqualTo(java.time.LocalDateTime.parse("2026-12-24T08:00"));
        assertThat(DomainEventSchema.violations(both)).isNotEmpty();
        assertThat(DomainEventSchema.violations(zoned)).isNotEmpty();
    }
}
