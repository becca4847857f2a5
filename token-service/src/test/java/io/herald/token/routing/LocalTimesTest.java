package io.herald.token.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.Channel;
import io.herald.events.DomainEvent;
import io.herald.token.preferences.Preferences;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LocalTimesTest {

    private static final UUID EVENT = UUID.fromString("6f1c1e7e-2f0e-4c59-9d0b-0c7c0e0b8a11");
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final ZoneId LAGOS = ZoneId.of("Africa/Lagos");
    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    private static Preferences zoned(String zone) {
        return new Preferences(false, Set.of(), Map.of(), null, zone);
    }

    @Test
    void theZoneIsThePreferencesElseTheDevicesElseUtc() {
        assertThat(LocalTimes.zoneOf(zoned("Europe/Paris"), "Asia/Tokyo")).isEqualTo(PARIS);
        assertThat(LocalTimes.zoneOf(Preferences.DEFAULT, "Asia/Tokyo")).isEqualTo(TOKYO);
        assertThat(LocalTimes.zoneOf(null, "Asia/Tokyo")).isEqualTo(TOKYO);
        assertThat(LocalTimes.zoneOf(null, null)).isEqualTo(ZoneOffset.UTC);
        // A zone this JVM does not know counts as none.
        assertThat(LocalTimes.zoneOf(zoned("Mars/Olympus"), "Asia/Tokyo")).isEqualTo(TOKYO);
        assertThat(LocalTimes.zoneOf(null, "Mars/Olympus")).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void aLocalTimeInADaylightSavingGapMovesLaterByTheGapAndOneInAnOverlapIsTheEarlierInstant() {
        // Paris skips 02:00-03:00 on 2027-03-28 and repeats it on 2026-10-25.
        assertThat(LocalTimes.instantOf(LocalDateTime.parse("2027-03-28T02:30"), PARIS))
                .isEqualTo(Instant.parse("2027-03-28T01:30:00Z"));
        assertThat(LocalTimes.instantOf(LocalDateTime.parse("2026-10-25T02:30"), PARIS))
                .isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
        assertThat(LocalTimes.instantOf(LocalDateTime.parse("2026-12-24T08:00"), NEW_YORK))
                .isEqualTo(Instant.parse("2026-12-24T13:00:00Z"));
    }

    @Test
    void recipientsArePartedByTheirInstantsThosePastRoutedNowTheOthersOnePartPerInstant() {
        var event = event(List.of("ann", "ben", "cid", "dee", "eve"), LocalDateTime.parse("2026-12-24T08:00"));
        Map<String, ZoneId> zones = Map.of(
                "ann", TOKYO, // 23:00Z the day before: past
                "ben", PARIS, // 07:00Z
                "cid", LAGOS, // also UTC+1 in December: the same instant as ben, the same part
                "dee", NEW_YORK); // 13:00Z; eve has no zone: UTC, 08:00Z
        Instant now = Instant.parse("2026-12-24T05:00:00Z");
        List<DomainEvent> due = new ArrayList<>();
        List<ScheduledEvents.Held> later = new ArrayList<>();

        LocalTimes.split(event, zones, now, due, later);

        assertThat(due).singleElement().satisfies(e -> {
            assertThat(e.recipients()).containsExactly("ann");
            assertThat(e.deliverAt()).isNull();
            assertThat(e.deliverAtLocal()).isNull();
            assertThat(e.eventId()).isEqualTo(EVENT);
        });
        assertThat(later)
                .extracting(h -> h.event().deliverAt() + " " + h.event().recipients())
                .containsExactly(
                        "2026-12-24T07:00:00Z [ben, cid]", "2026-12-24T08:00:00Z [eve]", "2026-12-24T13:00:00Z [dee]");
        assertThat(later).allSatisfy(h -> {
            assertThat(h.event().deliverAtLocal()).isNull();
            assertThat(h.part()).startsWith("local:");
        });
        assertThat(later).extracting(ScheduledEvents.Held::part).doesNotHaveDuplicates();
    }

    @Test
    void anEventDueForEveryRecipientIsRoutedWholeAndOneDueForNoneHasNoPartNow() {
        var event = event(List.of("ann", "ben"), LocalDateTime.parse("2026-12-24T08:00"));
        List<DomainEvent> due = new ArrayList<>();
        List<ScheduledEvents.Held> later = new ArrayList<>();

        LocalTimes.split(event, Map.of(), Instant.parse("2026-12-24T08:00:00Z"), due, later);
        assertThat(due).singleElement().satisfies(e -> {
            assertThat(e.recipients()).containsExactly("ann", "ben");
            assertThat(e.deliverAtLocal()).isNull();
        });
        assertThat(later).isEmpty();

        due.clear();
        LocalTimes.split(event, Map.of(), Instant.parse("2026-12-24T07:59:59Z"), due, later);
        assertThat(due).isEmpty();
        assertThat(later)
                .singleElement()
                .satisfies(h -> assertThat(h.event().recipients()).containsExactly("ann", "ben"));
    }

    @Test
    void thousandsOfRecipientsInFewZonesAreFewParts() {
        List<String> users = new ArrayList<>();
        Map<String, ZoneId> zones = new java.util.HashMap<>();
        List<ZoneId> some = List.of(PARIS, NEW_YORK, TOKYO);
        for (int i = 0; i < 10_000; i++) {
            users.add("u" + i);
            zones.put("u" + i, some.get(i % 3));
        }
        List<DomainEvent> due = new ArrayList<>();
        List<ScheduledEvents.Held> later = new ArrayList<>();

        LocalTimes.split(
                event(users, LocalDateTime.parse("2026-12-24T08:00")),
                zones,
                Instant.parse("2026-12-20T00:00:00Z"),
                due,
                later);

        assertThat(due).isEmpty();
        assertThat(later).hasSize(3);
        assertThat(later.stream().mapToInt(h -> h.event().recipients().size()).sum())
                .isEqualTo(10_000);
    }

    @Test
    void aPartIsNamedByItsInstantChannelsAndRecipientsTheSameWhenRoutedAgain() {
        var event = event(List.of("ann", "ben"), null).withDeliverAt(Instant.parse("2026-12-24T07:00:00Z"));

        assertThat(ScheduledEvents.Held.local(event).part())
                .isEqualTo(ScheduledEvents.Held.local(event).part())
                .isNotEqualTo(ScheduledEvents.Held.local(event.withRecipients(List.of("ann")))
                        .part())
                .isNotEqualTo(ScheduledEvents.Held.local(event.withDeliverAt(Instant.parse("2026-12-24T08:00:00Z")))
                        .part());
        assertThat(ScheduledEvents.Held.quiet(event.withChannels(Set.of(Channel.PUSH)))
                        .part())
                .startsWith("quiet:");
        assertThat(ScheduledEvents.Held.whole(event).part()).isEmpty();
    }

    @Test
    void anEventNamingTopicsIsLeftForTheirFanOut() {
        var withTopics = new DomainEvent(
                EVENT,
                1,
                "chat",
                "shop",
                Instant.parse("2026-12-07T10:00:00Z"),
                null,
                List.of(),
                null,
                Map.of(),
                "Hi",
                "There",
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
                LocalDateTime.parse("2026-12-24T08:00"),
                List.of("paris"));

        assertThat(LocalTimes.isLocal(withTopics)).isFalse();
        assertThat(LocalTimes.isLocal(event(List.of("ann"), LocalDateTime.parse("2026-12-24T08:00"))))
                .isTrue();
    }

    private static DomainEvent event(List<String> recipients, LocalDateTime local) {
        return new DomainEvent(
                EVENT,
                1,
                "chat",
                "shop",
                Instant.parse("2026-12-07T10:00:00Z"),
                null,
                recipients,
                null,
                Map.of(),
                "Your visit",
                "In one hour",
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
                local,
                null);
    }
}
