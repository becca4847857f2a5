package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.events.Change;
import io.herald.events.DomainEvent;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class LiveRepeatsTest {

    private final AtomicLong nanos = new AtomicLong();
    private final LiveRepeats repeats = new LiveRepeats(Duration.ofMinutes(10), 1_000, nanos::get);

    @Test
    void aNotificationRoutedAgainWithinTheWindowIsARepeatAndAfterItIsNot() {
        InAppNotification n = notification(UUID.randomUUID(), "ann");
        assertThat(repeats.first(n)).isTrue();
        assertThat(repeats.first(n)).isFalse();
        nanos.addAndGet(Duration.ofMinutes(9).toNanos());
        assertThat(repeats.first(n)).isFalse();
        // Remembered from when it was first written, not from its last repeat.
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        assertThat(repeats.first(n)).isTrue();
    }

    @Test
    void anUpdateOrAWithdrawalIsAChangeOfItsOwnAndANewerUpdateIsNeverARepeat() {
        InAppNotification n = notification(UUID.randomUUID(), "ann");
        InAppNotification update = change(n, UUID.randomUUID(), Change.Kind.UPDATE);
        InAppNotification newer = change(n, UUID.randomUUID(), Change.Kind.UPDATE);
        InAppNotification withdrawal = change(n, UUID.randomUUID(), Change.Kind.WITHDRAW);
        assertThat(repeats.first(n)).isTrue();
        assertThat(repeats.first(update)).isTrue();
        assertThat(repeats.first(update)).as("the same update routed again").isFalse();
        assertThat(repeats.first(newer))
                .as("a later update of the same notification")
                .isTrue();
        assertThat(repeats.first(withdrawal)).isTrue();
        assertThat(repeats.first(withdrawal)).isFalse();
        assertThat(repeats.first(notification(UUID.randomUUID(), "ann"))).isTrue();
    }

    @Test
    void theSettingsAreValidated() {
        assertThatThrownBy(() -> new LiveProperties(Duration.ZERO, 10)).hasMessageContaining("repeat-window");
        assertThatThrownBy(() -> new LiveProperties(Duration.ofMinutes(1), 0)).hasMessageContaining("repeat-max");
    }

    private static InAppNotification notification(UUID eventId, String user) {
        return new InAppNotification(
                Ids.notificationId(eventId, "shop", user),
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.now(),
                user,
                "order",
                "title",
                "body",
                Map.of(),
                null,
                null,
                "shop",
                null,
                null,
                null,
                null);
    }

    private static InAppNotification change(InAppNotification target, UUID eventId, Change.@Nullable Kind kind) {
        return new InAppNotification(
                target.notificationId(),
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.now(),
                target.userId(),
                "order",
                "new title",
                "",
                Map.of(),
                null,
                null,
                "shop",
                null,
                null,
                null,
                kind);
    }
}
