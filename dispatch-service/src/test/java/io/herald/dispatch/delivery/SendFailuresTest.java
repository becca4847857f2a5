package io.herald.dispatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class SendFailuresTest {

    @Test
    void troubleOnTheWayIsTransient() {
        assertThat(SendFailures.transientFailure(new UncheckedIOException(new IOException("reset"))))
                .isTrue();
        assertThat(SendFailures.transientFailure(new RejectedExecutionException("pool full")))
                .isTrue();
        assertThat(SendFailures.transientFailure(new IllegalStateException("closed", new IOException("eof"))))
                .isTrue();
    }

    @Test
    void whatTheClientRefusesIsPermanent() {
        assertThat(SendFailures.transientFailure(new IllegalArgumentException("Custom property key must not be aps")))
                .isFalse();
        assertThat(SendFailures.transientFailure(new NullPointerException())).isFalse();
    }

    @Test
    void aFutureThatFailedInsteadOfGivingAnOutcomeIsClassified() {
        assertThat(SendFailures.outcome(new TimeoutException(), Duration.ofSeconds(30)))
                .isEqualTo(new SendOutcome.Failed("TIMEOUT", "no outcome within 30000 ms", null));
        assertThat(SendFailures.outcome(new CompletionException(new IOException("gone")), Duration.ofSeconds(1)))
                .isEqualTo(new SendOutcome.Failed("CLIENT", "IOException: gone", null));
        assertThat(SendFailures.outcome(new CompletionException(new IllegalArgumentException("bad")), Duration.ZERO))
                .isEqualTo(new SendOutcome.Rejected("unsendable", "IllegalArgumentException: bad", false));
    }
}
