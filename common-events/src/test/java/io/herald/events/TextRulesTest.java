package io.herald.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.ObjectNode;

class TextRulesTest {

    private static ObjectNode goodEvent() throws IOException {
        try (InputStream in = TextRulesTest.class.getResourceAsStream("/examples/product_like.json")) {
            return (ObjectNode) HeraldJson.mapper().readTree(in.readAllBytes());
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "alice",
                "auth0|abc",
                "a+b@example.com",
                "google-oauth2|1/2",
                "100%",
                "with space",
                "émoji😀",
                "tab\tline\nreturn\r",
                "日本語",
                ""
            })
    void ordinaryTextAndEveryRealCharacterAreAllowed(String text) {
        assertThat(TextRules.isAllowed(text)).isTrue();
        assertThat(TextRules.check("f", text)).isNull();
    }

    @Test
    void everyControlCharacterButTabLineFeedAndCarriageReturnIsForbidden() {
        for (char c = 0; c < 0x20; c++) {
            boolean allowed = c == '\t' || c == '\n' || c == '\r';
            assertThat(TextRules.isAllowed("a" + c + "b")).as("U+%04X", (int) c).isEqualTo(allowed);
        }
        assertThat(TextRules.isAllowed("a\u007fb")).isFalse();
        assertThat(TextRules.isAllowed("a\u0080b"))
                .as("C1 controls are left alone")
                .isTrue();
    }

    @Test
    void anUnpairedSurrogateIsForbiddenAndAPairIsNot() {
        String emoji = "😀";
        assertThat(TextRules.isAllowed(emoji)).isTrue();
        assertThat(TextRules.firstForbidden("ab" + emoji.charAt(0))).isEqualTo(2);
        assertThat(TextRules.firstForbidden("ab" + emoji.charAt(0) + "c")).isEqualTo(2);
        assertThat(TextRules.firstForbidden("ab" + emoji.charAt(1))).isEqualTo(2);
        assertThat(TextRules.firstForbidden("" + emoji.charAt(1) + emoji.charAt(0)))
                .isZero();
    }

    @Test
    void aViolationNamesTheFieldAndTheCodePointButNeverRepeatsTheCharacter() {
        TextRules.Violation violation = TextRules.check("title", "bad\u0000title");

        assertThat(violation).isNotNull();
        assertThat(violation.field()).isEqualTo("title");
        assertThat(violation.index()).isEqualTo(3);
        assertThat(violation.message())
                .startsWith("title contains U+0000 at index 3")
                .doesNotContain("\u0000");
        assertThat(TextRules.check("recipients[0]", "x\uD800").message()).contains("an unpaired surrogate (U+D800)");
    }

    /** The schema's pattern and the Java rule agree on every character outside the surrogates. */
    @Test
    void theSchemaPatternAgreesWithTheRule() {
        Pattern pattern = Pattern.compile(TextRules.SCHEMA_PATTERN);
        for (char c = 0; c < 0xFFFF; c++) {
            if (Character.isSurrogate(c)) {
                continue;
            }
            String text = "a" + c + "b";
            assertThat(pattern.matcher(text).find()).as("U+%04X", (int) c).isEqualTo(TextRules.isAllowed(text));
        }
        assertThat(pattern.matcher("émoji😀 and\ttab").find()).isTrue();
    }

    static Stream<Arguments> eventFields() {
        return Stream.of(
                Arguments.of("title", (Mutation) e -> e.put("title", "a\u0000b")),
                Arguments.of("body", (Mutation) e -> e.put("body", "a\u0007b")),
                Arguments.of("source", (Mutation) e -> e.put("source", "app\u001b")),
                Arguments.of("collapseKey", (Mutation) e -> e.put("collapseKey", "k\u007f")),
                Arguments.of("recipients[1]", (Mutation)
                        e -> e.putArray("recipients").add("fine").add("nul\u0000")),
                Arguments.of("actor.id", (Mutation) e -> e.putObject("actor").put("id", "\u0001")),
                Arguments.of("actor.displayName", (Mutation)
                        e -> e.putObject("actor").put("id", "u").put("displayName", "\u0002")),
                Arguments.of("object.id", (Mutation) e -> e.putObject("object").put("id", "\u0003")),
                Arguments.of("object.kind", (Mutation)
                        e -> e.putObject("object").put("id", "o").put("kind", "\u0004")),
                Arguments.of("object.title", (Mutation)
                        e -> e.putObject("object").put("id", "o").put("title", "\u0005")),
                Arguments.of(
                        "data.productId", (Mutation) e -> e.putObject("data").put("productId", "p\u0000")),
                Arguments.of("data", (Mutation) e -> e.putObject("data").put("key\u0000", "v")),
                Arguments.of("extension.note", (Mutation)
                        e -> e.putObject("extension").put("note", "\u0006")));
    }

    interface Mutation {
        void apply(ObjectNode event);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventFields")
    void anEventWithAControlCharacterInAnyStringIsRefusedNamingTheField(String field, Mutation mutation)
            throws IOException {
        ObjectNode event = goodEvent();
        mutation.apply(event);

        assertThat(TextRules.check(event))
                .isNotNull()
                .extracting(TextRules.Violation::field)
                .isEqualTo(field);
        assertThatThrownBy(
                        () -> DomainEventDeserializer.parse(HeraldJson.mapper().writeValueAsBytes(event)))
                .isInstanceOfSatisfying(RejectedRecordException.class, e -> {
                    assertThat(e.code()).isEqualTo(RejectedRecordException.INVALID_CHARACTERS);
                    assertThat(e.getMessage())
                            .contains(field + " contains U+00")
                            .contains(TextRules.RULE);
                });
        if (!field.startsWith("extension")) {
            // The schema says it too, for producers that validate against it.
            assertThat(DomainEventSchema.violations(event)).isNotEmpty();
        }
    }

    @Test
    void theRecordCheckAndTheTreeCheckAgree() throws IOException {
        ObjectNode tree = goodEvent();
        tree.putObject("data").put("note", "x\u0000");
        DomainEvent event = HeraldJson.mapper().treeToValue(tree, DomainEvent.class);

        assertThat(TextRules.check(event)).isEqualTo(TextRules.check(tree));
    }

    @Test
    void userIdsOfUpTo255CharactersAndAnyRealCharacterAreValidRecipients() throws IOException {
        ObjectNode event = goodEvent();
        event.putArray("recipients")
                .add("auth0|abc")
                .add("google-oauth2|1/2")
                .add("émoji😀")
                .add("x".repeat(255));
        event.putObject("actor").put("id", "y".repeat(255));

        assertThat(DomainEventSchema.violations(event)).isEmpty();
        assertThat(DomainEventDeserializer.fromTree(event).recipients()).hasSize(4);

        event.putArray("recipients").add("x".repeat(256));
        assertThat(DomainEventSchema.violations(event)).isNotEmpty();
    }

    static Stream<Arguments> recordsWithBadText() {
        UUID id = UUID.randomUUID();
        Instant at = Instant.parse("2026-11-24T10:00:00Z");
        return Stream.of(
                Arguments.of(
                        InAppNotification.class,
                        new InAppNotification(
                                id,
                                id,
                                1,
                                at,
                                "u",
                                "chat",
                                "t",
                                "b",
                                Map.of(),
                                null,
                                new DomainEvent.EventObject("o", null, "bad\u0000")),
                        "object.title"),
                Arguments.of(
                        InAppNotification.class,
                        new InAppNotification(id, id, 1, at, "u\u0000", "chat", "t", "b", Map.of(), null, null),
                        "userId"),
                Arguments.of(
                        PushDelivery.class,
                        new PushDelivery(
                                id,
                                id,
                                id,
                                1,
                                at,
                                "u",
                                "chat",
                                Provider.FCM,
                                "tok",
                                Platform.ANDROID,
                                "t",
                                "b",
                                Map.of("k", "v\u0001"),
                                Priority.HIGH,
                                null,
                                null,
                                null,
                                null),
                        "data.k"),
                Arguments.of(
                        DeliveryStatus.class,
                        new DeliveryStatus(
                                id,
                                1,
                                at,
                                "u",
                                Channel.PUSH,
                                null,
                                id,
                                Provider.FCM,
                                DeliveryStatus.Outcome.FAILED,
                                "why\u0000",
                                "dispatch-service"),
                        "reason"),
                Arguments.of(
                        TokenFeedback.class,
                        new TokenFeedback(null, 1, at, Provider.FCM, "tok\u001f", "UNREGISTERED", null),
                        "token"));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("recordsWithBadText")
    <T> void everyConsumedRecordTypeIsRefusedWhenReadNamingTheField(Class<T> type, T record, String field) {
        byte[] json = HeraldJson.mapper().writeValueAsBytes(record);

        assertThatThrownBy(() -> new JsonDeserializer<>(type).deserialize("topic", json))
                .isInstanceOfSatisfying(RejectedRecordException.class, e -> {
                    assertThat(e.code()).isEqualTo(RejectedRecordException.INVALID_CHARACTERS);
                    assertThat(e.getMessage())
                            .startsWith("not a valid " + type.getSimpleName() + ": " + field + " contains");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"eventId", "occurredAt", "provider", "deliveryId"})
    void aControlCharacterInAFieldThatCannotBeReadIsStillNamedAsSuch(String field) {
        ObjectNode feedback = HeraldJson.mapper()
                .valueToTree(new TokenFeedback(
                        UUID.randomUUID(),
                        1,
                        Instant.parse("2026-11-24T10:00:00Z"),
                        Provider.FCM,
                        "tok",
                        "UNREGISTERED",
                        UUID.randomUUID()));
        feedback.put(field, feedback.path(field).asString() + "\u0000");
        byte[] json = HeraldJson.mapper().writeValueAsBytes(feedback);

        assertThatThrownBy(() -> new JsonDeserializer<>(TokenFeedback.class).deserialize("topic", json))
                .isInstanceOfSatisfying(RejectedRecordException.class, e -> {
                    assertThat(e.code()).isEqualTo(RejectedRecordException.INVALID_CHARACTERS);
                    assertThat(e.getMessage()).contains(field + " contains U+0000");
                });
    }

    @Test
    void aFieldOfTheWrongTypeWithoutControlCharactersIsStillInvalidJson() {
        byte[] json = "{\"eventId\":\"not-a-uuid\",\"token\":\"t\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> new JsonDeserializer<>(TokenFeedback.class).deserialize("topic", json))
                .isInstanceOfSatisfying(
                        RejectedRecordException.class,
                        e -> assertThat(e.code()).isEqualTo(RejectedRecordException.INVALID_JSON));
    }

    @Test
    void onlyAnEscapeOrARawDelCanBreakTheRuleInJsonText() {
        assertThat(TextRules.mayBreakRule(bytes("{\"a\":\"plain émoji😀 tab\\t quote\\\" end\"}")))
                .isFalse();
        assertThat(TextRules.mayBreakRule(bytes("{\"a\":\"an escaped backslash then u: \\\\u0000\"}")))
                .isFalse();
        assertThat(TextRules.mayBreakRule(bytes("{\"a\":\"nul \\u0000\"}"))).isTrue();
        assertThat(TextRules.mayBreakRule(bytes("{\"a\":\"del \u007f\"}"))).isTrue();
        assertThat(TextRules.mayBreakRule(bytes("{\"a\":\"backspace \\b\"}"))).isTrue();
        assertThat(TextRules.mayBreakRule(bytes("{\"a\":\"form feed \\f\"}"))).isTrue();
    }

    /** Jackson writes backspace and form feed as the short escapes {@code \\b} and {@code \\f}. */
    @Test
    void aBackspaceOrAFormFeedInAStringIsRefusedToo() {
        for (char c : new char[] {'\b', '\f'}) {
            var feedback = new TokenFeedback(
                    null,
                    1,
                    Instant.parse("2026-11-24T10:00:00Z"),
                    Provider.FCM,
                    "to" + c + "ken",
                    "UNREGISTERED",
                    null);
            byte[] json = HeraldJson.mapper().writeValueAsBytes(feedback);

            assertThatThrownBy(() -> new JsonDeserializer<>(TokenFeedback.class).deserialize("topic", json))
                    .isInstanceOfSatisfying(
                            RejectedRecordException.class,
                            e -> assertThat(e.code()).isEqualTo(RejectedRecordException.INVALID_CHARACTERS));
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aGoodRecordIsReadAsBefore() {
        var status = new DeliveryStatus(
                UUID.randomUUID(),
                1,
                Instant.parse("2026-11-24T10:00:00Z"),
                "auth0|abc",
                Channel.INAPP,
                null,
                null,
                null,
                DeliveryStatus.Outcome.DELIVERED,
                "line one\nline two",
                "ws-fanout-service");
        byte[] json = HeraldJson.mapper().writeValueAsBytes(status);

        assertThat(new JsonDeserializer<>(DeliveryStatus.class).deserialize("topic", json))
                .isEqualTo(status);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("auth0|abc");
    }
}
