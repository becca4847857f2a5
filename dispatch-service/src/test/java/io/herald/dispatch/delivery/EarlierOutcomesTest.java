package io.herald.dispatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EarlierOutcomesTest {

    /** A clock the test moves. */
    private static final class FakeTicker implements Ticker {
        long nanos;

        @Override
        public long read() {
            return nanos;
        }
    }

    private final FakeTicker ticker = new FakeTicker();
    private final EarlierOutcomes outcomes = new EarlierOutcomes(ticker);
    private final SendOutcome sent = new SendOutcome.Accepted("projects/p/messages/1");

    @Test
    void theFirstOutcomeIsKeptUntilItsBatchIsDone() {
        UUID id = UUID.randomUUID();
        outcomes.keep(id, sent, false);
        outcomes.keep(id, new SendOutcome.Rejected("UNREGISTERED", "gone", true), false);

        assertThat(outcomes.get(id)).isEqualTo(new EarlierOutcomes.Earlier(sent, false));
        outcomes.recorded(id);
        assertThat(outcomes.get(id)).isEqualTo(new EarlierOutcomes.Earlier(sent, true));

        outcomes.forget(List.of(id));
        assertThat(outcomes.get(id)).isNull();
    }

    @Test
    void anOutcomeIsKeptHoweverLongItsBatchTakes() {
        UUID id = UUID.randomUUID();
        outcomes.keep(id, sent, true);

        ticker.nanos += Duration.ofDays(7).toNanos();

        assertThat(outcomes.get(id)).isEqualTo(new EarlierOutcomes.Earlier(sent, true));
    }

    @Test
    void atMost100000OutcomesAreKept() {
        for (int i = 0; i < 100_500; i++) {
            outcomes.keep(UUID.randomUUID(), sent, false);
        }

        assertThat(outcomes.size()).isEqualTo(100_000);
    }
}
