package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.fanout.ws.MessageRate.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MessageRateTest {

    private static final long MILLI = 1_000_000L;

    private final AtomicLong now = new AtomicLong(42 * 1_000 * MILLI);

    @Test
    void aBurstOfOneSecondsWorthPassesAndTheRestIsDroppedWithOneWarning() {
        var rate = new MessageRate(20, now::get);
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            verdicts.add(rate.next());
        }
        assertThat(verdicts.subList(0, 20)).containsOnly(Verdict.ACCEPT);
        assertThat(verdicts.get(20)).isEqualTo(Verdict.WARN);
        assertThat(verdicts.subList(21, 25)).containsOnly(Verdict.DROP);

        // 50 ms later one more token (20 a second) has come.
        now.addAndGet(50 * MILLI);
        assertThat(rate.next()).isEqualTo(Verdict.ACCEPT);
        assertThat(rate.next()).isEqualTo(Verdict.DROP);
    }

    @Test
    void aClientAtTheRateIsNeverLimitedAndOneSlightlyOverItIsWarnedOnceASecondButNotClosed() {
        var steady = new MessageRate(20, now::get);
        for (int i = 0; i < 200; i++) {
            now.addAndGet(50 * MILLI);
            assertThat(steady.next()).isEqualTo(Verdict.ACCEPT);
        }

        var eager = new MessageRate(20, now::get);
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 30 * 10; i++) { // 30 a second for 10 seconds
            now.addAndGet(1_000 * MILLI / 30);
            verdicts.add(eager.next());
        }
        assertThat(verdicts).doesNotContain(Verdict.CLOSE);
        assertThat(verdicts.stream().filter(v -> v == Verdict.WARN).count()).isBetween(8L, 10L);
        assertThat(verdicts.stream().filter(v -> v == Verdict.ACCEPT).count()).isBetween(200L, 220L);
    }

    @Test
    void aClientSendingAThousandASecondIsToBeClosedWithinTheSecond() {
        var rate = new MessageRate(20, now::get);
        int sent = 0;
        Verdict verdict;
        do {
            now.addAndGet(MILLI);
            verdict = rate.next();
            sent++;
        } while (verdict != Verdict.CLOSE && sent < 1_000);
        assertThat(verdict).isEqualTo(Verdict.CLOSE);
        // The burst (20), the tokens that came meanwhile, then 20 more dropped within the second.
        assertThat(sent).isLessThan(100);
    }
}
