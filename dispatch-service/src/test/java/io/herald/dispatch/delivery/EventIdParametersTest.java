package io.herald.dispatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EventIdParametersTest {

    @Test
    void eachEventIdIsTakenOnceInTheOrderGiven() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        assertThat(EventIdParameters.parse(List.of(a.toString(), " " + b + " ", a.toString())))
                .containsExactly(a, b);
    }

    @Test
    void aHundredAreTakenAndOneMoreIsRefused() {
        List<String> hundred = IntStream.range(0, EventIdParameters.MAX)
                .mapToObj(i -> UUID.randomUUID().toString())
                .toList();
        assertThat(EventIdParameters.parse(hundred)).hasSize(100);
        List<String> more = new ArrayList<>(hundred);
        more.add(UUID.randomUUID().toString());
        assertThatThrownBy(() -> EventIdParameters.parse(more))
                .isInstanceOf(EventIdParameters.Invalid.class)
                .hasMessage("at most 100 eventId parameters per call; 101 given");
    }

    @Test
    void noEventIdIsRefused() {
        assertThatThrownBy(() -> EventIdParameters.parse(null))
                .isInstanceOf(EventIdParameters.Invalid.class)
                .hasMessageStartingWith("eventId is required");
        assertThatThrownBy(() -> EventIdParameters.parse(List.of()))
                .isInstanceOf(EventIdParameters.Invalid.class)
                .hasMessageStartingWith("eventId is required");
    }

    @Test
    void anythingButAFullUuidIsRefused() {
        for (String bad : List.of(
                "", "not-a-uuid", "1-1-1-1-1", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "{" + UUID.randomUUID())) {
            assertThatThrownBy(() ->
                            EventIdParameters.parse(List.of(UUID.randomUUID().toString(), bad)))
                    .as(bad)
                    .isInstanceOf(EventIdParameters.Invalid.class)
                    .hasMessage("eventId must be a UUID (8-4-4-4-12 hex digits)");
        }
    }
}
