package io.herald.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TopicNamesTest {

    @Test
    void namesOfTheAllowedCharactersUpTo128AreValid() {
        assertThat(TopicNames.isValid("paris.real-estate")).isTrue();
        assertThat(TopicNames.isValid("city:Paris~flats_2")).isTrue();
        assertThat(TopicNames.isValid("a")).isTrue();
        assertThat(TopicNames.isValid("x".repeat(128))).isTrue();
    }

    @Test
    void emptyLongOrOtherCharactersAreInvalid() {
        assertThat(TopicNames.isValid(null)).isFalse();
        assertThat(TopicNames.isValid("")).isFalse();
        assertThat(TopicNames.isValid("x".repeat(129))).isFalse();
        assertThat(TopicNames.isValid("paris/flats")).isFalse();
        assertThat(TopicNames.isValid("paris flats")).isFalse();
        assertThat(TopicNames.isValid("pâris")).isFalse();
        assertThat(TopicNames.isValid("paris\n")).isFalse();
    }

    @Test
    void theRuleIsTheSchemas() throws Exception {
        String schema = new String(
                DomainEvent.class
                        .getResourceAsStream("domain-event.schema.json")
                        .readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(schema).contains("^[A-Za-z0-9_.:~-]{1,128}$");
    }
}
