package io.herald.token.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.DeliveryStatus.Outcome;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeliveryLogTest {

    private static final UUID EVENT = UUID.randomUUID();
    private static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

    private static DeliveryLog.Entry entry(String key, String provider, Outcome outcome, Instant at) {
        return new DeliveryLog.Entry(EVENT, "ana", "push", key, provider, outcome, null, at);
    }

    @Test
    void entriesForDifferentRowsAreWrittenAsTheyCame() {
        var entries = List.of(
                entry("a", "fcm", Outcome.PLANNED, T),
                entry("b", "fcm", Outcome.PLANNED, T),
                new DeliveryLog.Entry(EVENT, "bob", "push", "a", "fcm", Outcome.PLANNED, null, T));

        assertThat(DeliveryLog.folded(entries)).isEqualTo(entries);
    }

    @Test
    void theNewestEntryForARowWinsInThePlaceTheRowFirstAppeared() {
        var planned = entry("a", "fcm", Outcome.PLANNED, T);
        var other = entry("b", "fcm", Outcome.PLANNED, T);
        var sent = entry("a", "fcm", Outcome.SENT, T.plusSeconds(1));
        var lateRejected = entry("a", "fcm", Outcome.REJECTED, T.minusSeconds(1));

        assertThat(DeliveryLog.folded(List.of(planned, other, sent, lateRejected)))
                .containsExactly(sent, other);
    }

    @Test
    void onEqualTimesTheLaterEntryWinsAndAProviderNamedEarlierIsKept() {
        var planned = entry("a", "apns", Outcome.PLANNED, T);
        var failed = entry("a", null, Outcome.FAILED, T);

        assertThat(DeliveryLog.folded(List.of(planned, failed)))
                .containsExactly(new DeliveryLog.Entry(EVENT, "ana", "push", "a", "apns", Outcome.FAILED, null, T));
    }
}
