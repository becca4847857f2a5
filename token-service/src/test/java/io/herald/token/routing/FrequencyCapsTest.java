package io.herald.token.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.events.DomainEvent;
import io.herald.events.Ids;
import io.herald.events.Platform;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.token.devices.ActiveDevice;
import io.herald.token.log.DeliveryLog;
import io.herald.token.preferences.Preferences;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FrequencyCapsTest {

    private static final Router ROUTER = new Router(new Templates(Map.of()));
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    private static FrequencyCapProperties.Rule rule(String name, List<String> types, List<String> channels) {
        return new FrequencyCapProperties.Rule(name, types, 3, Duration.ofDays(1), channels);
    }

    @Test
    void aTypeMatchesAnExactTypeOrAPrefixEndingInAStar() {
        var rule = rule("recs", List.of("recommended_*", "digest"), List.of("push"));

        assertThat(rule.matches("recommended_product")).isTrue();
        assertThat(rule.matches("recommended_")).isTrue();
        assertThat(rule.matches("digest")).isTrue();
        assertThat(rule.matches("digest_weekly")).isFalse();
        assertThat(rule.matches("recommended")).isFalse();
        assertThat(rule.matches("chat")).isFalse();
        assertThat(rule("all", List.of("*"), List.of("push")).matches("anything"))
                .isTrue();
    }

    @Test
    void windowsAreFixedBucketsOfPerFromTheEpochInUtc() {
        var daily = rule("recs", List.of("x"), List.of("push"));
        long day = Instant.parse("2026-12-07T00:00:00Z").toEpochMilli();

        assertThat(daily.bucket(Instant.parse("2026-12-07T00:00:00Z"))).isEqualTo(day);
        assertThat(daily.bucket(Instant.parse("2026-12-07T23:59:59.999Z"))).isEqualTo(day);
        assertThat(daily.bucket(Instant.parse("2026-12-08T00:00:00Z"))).isEqualTo(day + 86_400_000L);
        var hourly = new FrequencyCapProperties.Rule("h", List.of("x"), 1, Duration.ofHours(1), List.of("push"));
        assertThat(hourly.bucket(Instant.parse("2026-12-07T10:59:00Z")))
                .isEqualTo(Instant.parse("2026-12-07T10:00:00Z").toEpochMilli());
        // Before the epoch, still the window's start, not a bucket towards zero.
        assertThat(hourly.bucket(Instant.parse("1969-12-31T23:30:00Z")))
                .isEqualTo(Instant.parse("1969-12-31T23:00:00Z").toEpochMilli());
    }

    @Test
    void badRulesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> new FrequencyCapProperties.Rule("r", List.of("x"), 0, Duration.ofDays(1), null))
                .hasMessageContaining("max must be at least 1");
        assertThatThrownBy(() -> new FrequencyCapProperties.Rule("r", List.of("x"), 1, Duration.ZERO, List.of("push")))
                .hasMessageContaining("per must be at least 1s");
        assertThatThrownBy(
                        () -> new FrequencyCapProperties.Rule("r", List.of(), 1, Duration.ofDays(1), List.of("push")))
                .hasMessageContaining("types");
        assertThatThrownBy(() -> rule("r", List.of("re*commended"), List.of("push")))
                .hasMessageContaining("prefix ending in a single *");
        assertThatThrownBy(() -> rule("r", List.of("x"), List.of("sms"))).hasMessageContaining("unknown channel sms");
        assertThatThrownBy(() -> rule("bad name", List.of("x"), List.of("push")))
                .hasMessageContaining("name must be");
        assertThatThrownBy(() -> new FrequencyCapProperties(
                        List.of(rule("r", List.of("x"), List.of("push")), rule("r", List.of("y"), List.of("push")))))
                .hasMessageContaining("two rules are named r");
        assertThat(new FrequencyCapProperties(List.of()).frequencyCaps()).isEmpty();
    }

    @Test
    void aHeldClaimHoldsBackItsRulesChannelsOnlyWithASkipNamingTheRule() {
        var rule = rule("recs", List.of("recommended_*"), List.of("push"));
        DomainEvent event = event("recommended_product", "ann", "bob");
        Router.Plan plan = ROUTER.plan(
                event, Map.of("ann", List.of(device("ann", "a1")), "bob", List.of(device("bob", "b1"))), Map.of(), NOW);
        List<FrequencyCaps.Counted> counted = FrequencyCaps.claims(plan, List.of(rule), NOW);
        assertThat(counted)
                .extracting(c -> c.claim())
                .containsExactly(
                        new FrequencyCaps.Claim(
                                "ann",
                                "recs",
                                Instant.parse("2026-12-07T00:00:00Z").toEpochMilli(),
                                Ids.notificationId(event.eventId(), "shop", "ann")),
                        new FrequencyCaps.Claim(
                                "bob",
                                "recs",
                                Instant.parse("2026-12-07T00:00:00Z").toEpochMilli(),
                                Ids.notificationId(event.eventId(), "shop", "bob")));

        Router.Plan capped = FrequencyCaps.holdBack(
                event, plan, counted, Set.of(counted.getFirst().claim()), NOW);

        assertThat(capped.pushes()).extracting(PushDelivery::userId).containsExactly("bob");
        // ann's in-app notification still goes: the rule holds back pushes only.
        assertThat(capped.inApp()).hasSize(2);
        assertThat(capped.log()).singleElement().satisfies(e -> {
            assertThat(e.userId()).isEqualTo("ann");
            assertThat(e.channel()).isEqualTo("push");
            assertThat(e.outcome().name()).isEqualTo("SKIPPED");
            assertThat(e.reason()).isEqualTo("frequency-cap:recs");
            assertThat(e.notificationId()).isEqualTo(Ids.notificationId(event.eventId(), "shop", "ann"));
        });
        assertThat(FrequencyCaps.holdBack(event, plan, counted, Set.of(), NOW)).isSameAs(plan);
    }

    /** A deferred push counts when it is deferred; held back by a cap, it is skipped, neither deferred nor sent. */
    @Test
    void aDeferredPushCountsWhenDeferredAndOneHeldBackIsNoLongerDeferred() {
        var rule = rule("recs", List.of("recommended_*"), List.of("push"));
        DomainEvent event = event("recommended_product", "ann", "bob");
        var deferring = new Preferences(
                false,
                Set.of(),
                Map.of(),
                new Preferences.QuietHours("09:00", "11:00", "UTC", Preferences.QuietMode.DEFER));
        Router.Plan plan = ROUTER.plan(
                event,
                Map.of("ann", List.of(device("ann", "a1")), "bob", List.of(device("bob", "b1"))),
                Map.of("ann", deferring, "bob", deferring),
                NOW);
        assertThat(plan.pushes()).isEmpty();
        assertThat(plan.deferred()).hasSize(2);
        List<FrequencyCaps.Counted> counted = FrequencyCaps.claims(plan, List.of(rule), NOW);
        assertThat(counted).extracting(c -> c.claim().user()).containsExactly("ann", "bob");

        Router.Plan capped = FrequencyCaps.holdBack(
                event, plan, counted, Set.of(counted.getFirst().claim()), NOW);

        assertThat(capped.deferred()).extracting(Router.Deferral::userId).containsExactly("bob");
        assertThat(capped.log())
                .extracting(e -> e.userId() + " " + e.outcome() + " " + e.reason())
                .containsExactlyInAnyOrder(
                        "bob DEFERRED quiet-hours: until 2026-12-07T11:00:00Z", "ann SKIPPED frequency-cap:recs");
    }

    @Test
    void anInAppCapTakesTheInboxItemAndThePushNoLongerSaysItHasOne() {
        var rule = rule("recs", List.of("recommended_*"), List.of("inapp"));
        DomainEvent event = event("recommended_product", "ann");
        Router.Plan plan = ROUTER.plan(event, Map.of("ann", List.of(device("ann", "a1"))), Map.of(), NOW);
        assertThat(plan.pushes().getFirst().inApp()).isTrue();
        List<FrequencyCaps.Counted> counted = FrequencyCaps.claims(plan, List.of(rule), NOW);

        Router.Plan capped = FrequencyCaps.holdBack(
                event, plan, counted, Set.of(counted.getFirst().claim()), NOW);

        assertThat(capped.inApp()).isEmpty();
        assertThat(capped.pushes())
                .singleElement()
                .satisfies(p -> assertThat(p.inApp()).isFalse());
        assertThat(capped.log())
                .extracting(DeliveryLog.Entry::channel, DeliveryLog.Entry::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("inapp", "frequency-cap:recs"));
    }

    @Test
    void aRecipientWithNothingDeliveredOnTheRulesChannelsIsNotCounted() {
        var rule = rule("recs", List.of("recommended_*"), List.of("push"));
        Router.Plan plan = ROUTER.plan(event("recommended_product", "ann"), Map.of(), Map.of(), NOW);

        assertThat(FrequencyCaps.claims(plan, List.of(rule), NOW)).isEmpty();
    }

    @Test
    void silentEventsWithdrawalsAndOtherTypesAreNotCapped() {
        var caps = new FrequencyCaps(
                new FrequencyCapProperties(List.of(rule("recs", List.of("recommended_*"), List.of("push")))),
                null,
                java.time.Clock.systemUTC());

        assertThat(caps.capping(event("recommended_product", "ann"))).hasSize(1);
        assertThat(caps.capping(event("chat", "ann"))).isEmpty();
        DomainEvent e = event("recommended_product", "ann");
        DomainEvent silent = new DomainEvent(
                e.eventId(),
                1,
                e.type(),
                e.source(),
                e.occurredAt(),
                null,
                e.recipients(),
                null,
                Map.of(),
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
                null,
                null,
                true,
                null);
        assertThat(silent.silent()).isTrue();
        assertThat(caps.capping(silent)).isEmpty();
    }

    private static DomainEvent event(String type, String... recipients) {
        return new DomainEvent(
                UUID.randomUUID(),
                1,
                type,
                "shop",
                NOW,
                null,
                List.of(recipients),
                null,
                Map.of(),
                "For you",
                "A red bike",
                null,
                null,
                null,
                null);
    }

    private static ActiveDevice device(String user, String token) {
        return new ActiveDevice(UUID.randomUUID(), user, Provider.FCM, token, Platform.ANDROID, "en-US");
    }
}
