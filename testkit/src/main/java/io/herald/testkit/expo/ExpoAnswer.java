package io.herald.testkit.expo;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** What the Expo emulator answers to a scripted push. */
public sealed interface ExpoAnswer {

    /** An {@code ok} ticket. */
    record Succeed() implements ExpoAnswer {}

    /**
     * An error ticket for the message ({@code DeviceNotRegistered}, {@code MessageTooBig}, {@code
     * MessageRateExceeded}, {@code MismatchSenderId}, {@code InvalidCredentials}), the request itself answered 200.
     */
    record TicketError(String error) implements ExpoAnswer {}

    /** The whole request answered {@code status} with Expo's {@code errors} body, and {@code Retry-After} if given. */
    record RequestError(int status, String code, @Nullable Duration retryAfter) implements ExpoAnswer {}

    /** No answer for {@code duration}, then {@code 503}. */
    record Hang(Duration duration) implements ExpoAnswer {}

    static ExpoAnswer succeed() {
        return new Succeed();
    }

    static ExpoAnswer ticketError(String error) {
        return new TicketError(error);
    }

    /** {@code 429 TOO_MANY_REQUESTS} with {@code Retry-After}. */
    static ExpoAnswer throttle(Duration retryAfter) {
        return new RequestError(429, "TOO_MANY_REQUESTS", retryAfter);
    }

    /** {@code 503}, as when Expo's push service is down. */
    static ExpoAnswer unavailable() {
        return new RequestError(503, "INTERNAL_SERVER_ERROR", null);
    }

    static ExpoAnswer hang(Duration duration) {
        return new Hang(duration);
    }
}
