package io.herald.token.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.events.DeliveryStatus.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PlannedPushesTest {

    private static final UUID EVENT = UUID.randomUUID();
    private static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

    private final List<List<DeliveryLog.Entry>> writes = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private long now = 1_000;
    private boolean databaseDown;
    private String refusedUser = "";

    private PlannedPushes plans(Duration hold, int maxHeld) {
        return new PlannedPushes(
                entries -> {
                    if (databaseDown) {
                        throw new IllegalStateException("database down");
                    }
                    if (entries.stream().anyMatch(e -> e.userId().equals(refusedUser))) {
                        throw new IllegalStateException(
                                "refused", new SQLException("check constraint violated", "23514"));
                    }
                    if (!entries.isEmpty()) {
                        writes.add(List.copyOf(entries));
                    }
                },
                new DeliveryLogProperties(hold, maxHeld, Duration.ofDays(30), Duration.ofHours(1)),
                meters,
                () -> now);
    }

    private static DeliveryLog.Entry entry(
            String user, String channel, String key, String provider, Outcome outcome, Instant at) {
        return new DeliveryLog.Entry(EVENT, user, channel, key, provider, outcome, null, at);
    }

    private double plansCounted(String fate) {
        return meters.get(PlannedPushes.METER).tag("fate", fate).counter().count();
    }

    @Test
    void pushPlansAreHeldAndEverythingElseIsWrittenAtOnce() {
        var plans = plans(Duration.ofSeconds(5), 100);
        var push = entry("ana", "push", "d1", "fcm", Outcome.PLANNED, T);
        var inApp = entry("ana", "inapp", "n1", null, Outcome.PLANNED, T);
        var skipped = entry("bob", "push", DeliveryLog.NONE, null, Outcome.SKIPPED, T);

        plans.write(List.of(push, inApp, skipped));

        assertThat(writes).containsExactly(List.of(inApp, skipped));
        assertThat(plans.of(EVENT)).containsExactly(push);
        assertThat(plans.of(UUID.randomUUID())).isEmpty();
    }

    @Test
    void aStatusComingWhileItsPlanIsHeldIsWrittenAloneWithThePlansProvider() {
        var plans = plans(Duration.ofSeconds(5), 100);
        var plan = entry("ana", "push", "d1", "apns", Outcome.PLANNED, T);
        var other = entry("ana", "push", "d2", "fcm", Outcome.PLANNED, T);
        plans.write(List.of(plan, other));
        var failed = entry("ana", "push", "d1", null, Outcome.FAILED, T.plusMillis(80));
        var unknown = entry("cy", "push", "d9", "expo", Outcome.SENT, T.plusMillis(80));

        PlannedPushes.Settled settled = plans.settle(List.of(failed, unknown));

        assertThat(settled.entries())
                .containsExactly(entry("ana", "push", "d1", "apns", Outcome.FAILED, T.plusMillis(80)), unknown);
        assertThat(settled.plans()).containsExactly(plan, null);
        assertThat(plans.of(EVENT)).containsExactly(other);
        assertThat(plansCounted("settled")).isEqualTo(1);

        now += TimeUnit.SECONDS.toNanos(5);
        plans.flush();
        // Only the plan nothing settled is written when the hold ends; the settled one never is.
        assertThat(writes).containsExactly(List.of(other));
        assertThat(plans.held()).isZero();
        assertThat(plansCounted("written")).isEqualTo(1);
    }

    @Test
    void plansAreWrittenWhenTheirHoldEndsAndNotBefore() {
        var plans = plans(Duration.ofSeconds(5), 100);
        var first = entry("ana", "push", "d1", "fcm", Outcome.PLANNED, T);
        plans.write(List.of(first));
        now += TimeUnit.SECONDS.toNanos(3);
        var second = entry("ana", "push", "d2", "fcm", Outcome.PLANNED, T.plusSeconds(3));
        plans.write(List.of(second));

        now += TimeUnit.SECONDS.toNanos(2) - 1;
        plans.flush();
        assertThat(writes).isEmpty();
        now += 1;
        plans.flush();
        assertThat(writes).containsExactly(List.of(first));
        now += TimeUnit.SECONDS.toNanos(3);
        plans.flush();
        assertThat(writes).containsExactly(List.of(first), List.of(second));
    }

    @Test
    void anEventRoutedAgainReplacesItsHeldPlansAndTheyAreWrittenOnce() {
        var plans = plans(Duration.ofSeconds(5), 100);
        var plan = entry("ana", "push", "d1", "fcm", Outcome.PLANNED, T);
        plans.write(List.of(plan));
        now += TimeUnit.SECONDS.toNanos(1);
        var again = entry("ana", "push", "d1", "fcm", Outcome.PLANNED, T.plusSeconds(1));
        plans.write(List.of(again));

        now += TimeUnit.SECONDS.toNanos(5);
        plans.flush();
        assertThat(writes).containsExactly(List.of(again));
    }

    @Test
    void whenFullOrWithNoHoldPlansAreWrittenAtOnce() {
        var full = plans(Duration.ofSeconds(5), 1);
        var a = entry("ana", "push", "d1", "fcm", Outcome.PLANNED, T);
        var b = entry("ana", "push", "d2", "fcm", Outcome.PLANNED, T);
        full.write(List.of(a, b));
        assertThat(writes).containsExactly(List.of(b));
        assertThat(full.of(EVENT)).containsExactly(a);
        assertThat(plansCounted("direct")).isEqualTo(1);

        writes.clear();
        var off = plans(Duration.ZERO, 100);
        off.write(List.of(a, b));
        assertThat(writes).containsExactly(List.of(a, b));
        assertThat(off.held()).isZero();
        assertThat(plansCounted("direct")).isEqualTo(3);
    }

    @Test
    void plansThatCannotBeWrittenAreHeldAgainAndAllAreWrittenOnStop() {
        var plans = plans(Duration.ofSeconds(5), 100);
        var a = entry("ana", "push", "d1", "fcm", Outcome.PLANNED, T);
        var b = entry("ana", "push", "d2", "fcm", Outcome.PLANNED, T);
        plans.write(List.of(a));
        now += TimeUnit.SECONDS.toNanos(5);
        databaseDown = true;
        plans.flush();
        assertThat(plans.of(EVENT)).containsExactly(a);

        databaseDown = false;
        plans.write(List.of(b));
        plans.flushAll();
        assertThat(writes).hasSize(1);
        assertThat(writes.getFirst()).containsExactlyInAnyOrder(a, b);
        assertThat(plans.held()).isZero();
    }

    @Test
    void aPlanTheTableRefusesIsDroppedAndTheOthersDueWithItAreWritten() {
        var plans = plans(Duration.ofSeconds(5), 100);
        var a = entry("ana", "push", "d1", "fcm", Outcome.PLANNED, T);
        var refused = entry("eve", "push", "d2", "fcm", Outcome.PLANNED, T);
        var b = entry("bob", "push", "d3", "fcm", Outcome.PLANNED, T);
        plans.write(List.of(a, refused, b));
        refusedUser = "eve";
        now += TimeUnit.SECONDS.toNanos(5);

        plans.flush();

        assertThat(writes.stream().flatMap(List::stream)).containsExactlyInAnyOrder(a, b);
        assertThat(plans.held()).as("nothing held again for ever").isZero();
        assertThat(plansCounted("written")).isEqualTo(2);
    }

    @Test
    void settingsOutOfRangeAreRefused() {
        assertThatThrownBy(() ->
                        new DeliveryLogProperties(Duration.ofSeconds(-1), 10, Duration.ofDays(30), Duration.ofHours(1)))
                .hasMessageContaining("planned-hold");
        assertThatThrownBy(() ->
                        new DeliveryLogProperties(Duration.ofSeconds(1), -1, Duration.ofDays(30), Duration.ofHours(1)))
                .hasMessageContaining("max-held");
        assertThatThrownBy(() ->
                        new DeliveryLogProperties(Duration.ofSeconds(1), 1, Duration.ofHours(23), Duration.ofHours(1)))
                .hasMessageContaining("retention");
        assertThat(new DeliveryLogProperties(Duration.ofSeconds(1), 1, Duration.ofHours(36), Duration.ofHours(1))
                        .retentionDays())
                .isEqualTo(2);
    }
}
