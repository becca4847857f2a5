package io.herald.token.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FanoutWorkTest {

    private static final DomainEvent EVENT = event(List.of("ann", "bob"));

    @Test
    void theFirstPlanCarriesTheEventWithoutTopicsAndWithItsListedRecipients() {
        assertThat(EVENT.topics()).containsExactly("paris", "lyon");

        FanoutWork start = FanoutWork.start(EVENT, "paris");

        assertThat(start.plan()).isTrue();
        assertThat(start.from()).isNull();
        assertThat(start.until()).isNull();
        assertThat(start.event().topics()).isNull();
        assertThat(start.event().recipients()).containsExactly("ann", "bob");
        assertThat(start.event().eventId()).isEqualTo(EVENT.eventId());
    }

    @Test
    void anEventListingMoreRecipientsThanCarriedIsFannedOutWithoutThem() {
        List<String> many = IntStream.range(0, FanoutWork.MAX_LISTED_CARRIED + 1)
                .mapToObj(i -> "u" + i)
                .toList();

        assertThat(FanoutWork.start(event(many), "paris").event().recipients()).isEmpty();
        assertThat(FanoutWork.start(event(many.subList(0, FanoutWork.MAX_LISTED_CARRIED)), "paris")
                        .event()
                        .recipients())
                .hasSize(FanoutWork.MAX_LISTED_CARRIED);
    }

    @Test
    void chunksRunFromEachStartToTheNextAndTheLastToTheTopicsEnd() {
        List<FanoutWork> laid = FanoutWork.start(EVENT, "paris").layOut(List.of("a", "f", "k"), 3);

        assertThat(laid).extracting(FanoutWork::plan).containsOnly(false);
        assertThat(laid).extracting(FanoutWork::from).containsExactly("a", "f", "k");
        assertThat(laid).extracting(FanoutWork::until).containsExactly("f", "k", null);
    }

    @Test
    void oneStartMoreThanThePlansChunksBeginsAContinuationPlan() {
        FanoutWork plan = new FanoutWork(EVENT.withRecipients(List.of()), "paris", "c", null, true);

        List<FanoutWork> laid = plan.layOut(List.of("c", "f", "k"), 2);

        assertThat(laid).hasSize(3);
        assertThat(laid.get(0))
                .extracting(FanoutWork::from, FanoutWork::until, FanoutWork::plan)
                .containsExactly("c", "f", false);
        assertThat(laid.get(1))
                .extracting(FanoutWork::from, FanoutWork::until, FanoutWork::plan)
                .containsExactly("f", "k", false);
        // The continuation starts where the second chunk ends: no subscriber in two ranges, none in none.
        assertThat(laid.get(2))
                .extracting(FanoutWork::from, FanoutWork::until, FanoutWork::plan)
                .containsExactly("k", null, true);
    }

    @Test
    void aTopicWithNoSubscribersLeftLaysOutNothing() {
        assertThat(FanoutWork.start(EVENT, "paris").layOut(List.of(), 100)).isEmpty();
    }

    @Test
    void onlyAPlanLaysOut() {
        var chunk = new FanoutWork(EVENT, "paris", "a", "b", false);

        assertThatThrownBy(() -> chunk.layOut(List.of("a"), 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void keysTellEveryRecordOfAFanOutApart() {
        FanoutWork start = FanoutWork.start(EVENT, "paris");
        List<FanoutWork> laid = start.layOut(List.of("a", "f", "k"), 2);

        assertThat(laid.stream().map(FanoutWork::key).toList())
                .doesNotHaveDuplicates()
                .doesNotContain(start.key())
                .allSatisfy(k -> assertThat(k).startsWith(EVENT.eventId() + "/paris/"));
    }

    @Test
    void aRecordReadsBackAsWritten() {
        var chunk = new FanoutWork(FanoutWork.start(EVENT, "paris").event(), "paris", "a", null, false);

        FanoutWork read = HeraldJson.mapper().readValue(HeraldJson.mapper().writeValueAsBytes(chunk), FanoutWork.class);

        assertThat(read).isEqualTo(chunk);
    }

    private static DomainEvent event(List<String> recipients) {
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
                List.of("paris", "lyon"));
    }
}
