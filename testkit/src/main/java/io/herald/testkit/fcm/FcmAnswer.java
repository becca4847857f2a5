package io.herald.testkit.fcm;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** What the FCM emulator answers to a scripted send. */
public sealed interface FcmAnswer {

    /** {@code 200} with the message's name: accepted. */
    record Succeed() implements FcmAnswer {}

    /** FCM's error body for {@code error}, with {@code Retry-After} when given. */
    record Fail(FcmError error, @Nullable Duration retryAfter) implements FcmAnswer {}

    /** No answer for {@code duration} (a client should time out first), then {@code 503 UNAVAILABLE}. */
    record Hang(Duration duration) implements FcmAnswer {}

    static FcmAnswer succeed() {
        return new Succeed();
    }

    /** {@code error}'s status and body; {@code QUOTA_EXCEEDED} and {@code UNAVAILABLE} add {@code Retry-After: 1}. */
    static FcmAnswer fail(FcmError error) {
        return new Fail(
                error,
                error == FcmError.QUOTA_EXCEEDED || error == FcmError.UNAVAILABLE ? Duration.ofSeconds(1) : null);
    }

    /** {@code 429 RESOURCE_EXHAUSTED} ({@code QUOTA_EXCEEDED}) with {@code Retry-After}. */
    static FcmAnswer throttle(Duration retryAfter) {
        return new Fail(FcmError.QUOTA_EXCEEDED, retryAfter);
    }

    /** {@code 503 UNAVAILABLE}, without {@code Retry-After}. */
    static FcmAnswer unavailable() {
        return new Fail(FcmError.UNAVAILABLE, null);
    }

    static FcmAnswer hang(Duration duration) {
        return new Hang(duration);
    }
}
