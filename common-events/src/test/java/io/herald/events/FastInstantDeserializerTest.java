package io.herald.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FastInstantDeserializerTest {

    record Stamped(Instant at) {}

    @Test
    void readsWhatInstantToStringWritesExactlyAsInstantParseDoes() {
        var random = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            // 1970 to 2100, with whole seconds, milliseconds, microseconds and nanoseconds.
            long second = random.nextLong(0, 4_102_444_800L);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            String text = Instant.ofEpochSecond(second, nanos).toString();
            assertThat(FastInstantDeserializer.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
        assertThat(FastInstantDeserializer.parse("2024-02-29T23:59:59.1Z"))
                .isEqualTo(Instant.parse("2024-02-29T23:59:59.1Z"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-11-25T01:02:03+01:00",
                "2026-11-25T01:02:03.Z",
                "2026-02-30T01:02:03Z",
                "2026-11-25T24:00:00Z",
                "2026-11-25 01:02:03Z",
                "2026-11-25T01:02:03.1234567890Z",
                "+12026-11-25T01:02:03Z",
                "2026-1a-25T01:02:03Z"
            })
    void leavesEverythingElseToJackson(String text) {
        assertThat(FastInstantDeserializer.parse(text)).isNull();
    }

    @Test
    void theMapperStillAcceptsWhatJacksonAccepts() {
        assertThat(HeraldJson.mapper()
                        .readValue("{\"at\":\"2026-11-25T01:02:03.5Z\"}", Stamped.class)
                        .at())
                .isEqualTo(Instant.parse("2026-11-25T01:02:03.5Z"));
        assertThat(HeraldJson.mapper()
                        .readValue("{\"at\":\"2026-11-25T02:02:03+01:00\"}", Stamped.class)
                        .at())
                .isEqualTo(Instant.parse("2026-11-25T01:02:03Z"));
        assertThat(HeraldJson.mapper()
                        .readValue("{\"at\":1764032523.5}", Stamped.class)
                        .at())
                .isEqualTo(Instant.ofEpochSecond(1_764_032_523L, 500_000_000));
    }
}
