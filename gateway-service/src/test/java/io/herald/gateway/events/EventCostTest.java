package io.herald.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.DomainEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** What an event costs against its app's rate limit: a notification per listed recipient and per topic. */
class EventCostTest {

    @Test
    void anEventForListedRecipientsCostsOneEach() {
        assertThat(EventsController.cost(event(List.of("ann", "bob", "cy"), null)))
                .isEqualTo(3);
    }

    @Test
    void eachTopicCostsOneWhateverItsSubscribers() {
        assertThat(EventsController.cost(event(List.of(), List.of("paris", "lyon"))))
                .isEqualTo(2);
        assertThat(EventsController.cost(event(List.of("ann"), List.of("paris"))))
                .isEqualTo(2);
    }

    private static DomainEvent event(List<String> recipients, @Nullable List<String> topics) {
        return new DomainEvent(
                UUID.randomUUID(),
                1,
                "flat_listed",
                "estate",
                Instant.parse("2026-12-07T10:00:00Z"),
                null,
                recipients,
                null,
                Map.of(),
                "A new flat",
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
                null,
                topics);
    }
}
