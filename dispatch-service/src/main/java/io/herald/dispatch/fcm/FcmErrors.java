package io.herald.dispatch.fcm;

import io.herald.dispatch.delivery.SendOutcome;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Sorts an FCM error, as read from FCM's answer, into a {@link SendOutcome}. Pure. */
final class FcmErrors {

    private FcmErrors() {}

    /**
     * An FCM error.
     *
     * @param fcmCode the FCM error code from the body's {@code FcmError} detail ({@code UNREGISTERED}, …), if any
     * @param status the Google RPC status ({@code NOT_FOUND}, {@code UNAVAILABLE}, …)
     * @param retryAfter the {@code Retry-After} the answer carried, if any
     */
    static SendOutcome classify(@Nullable String fcmCode, String status, String reason, @Nullable Duration retryAfter) {
        if (fcmCode != null) {
            switch (fcmCode) {
                case "UNREGISTERED", "SENDER_ID_MISMATCH" -> {
                    return new SendOutcome.Rejected(fcmCode, reason, true);
                }
                // FCM answers INVALID_ARGUMENT both for a malformed token and for a malformed message.
                case "INVALID_ARGUMENT" -> {
                    return new SendOutcome.Rejected(
                            fcmCode, reason, reason.toLowerCase(Locale.ROOT).contains("token"));
                }
                case "THIRD_PARTY_AUTH_ERROR" -> {
                    return new SendOutcome.Rejected(fcmCode, reason, false);
                }
                case "QUOTA_EXCEEDED", "UNAVAILABLE", "INTERNAL" -> {
                    return new SendOutcome.Failed(fcmCode, reason, retryAfter);
                }
                default -> {
                    // an FCM code newer than this version: fall back to the RPC status
                }
            }
        }
        return switch (status) {
            case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE", "NOT_FOUND", "PERMISSION_DENIED" ->
                new SendOutcome.Rejected(status, reason, false);
            default -> new SendOutcome.Failed(status, reason, retryAfter);
        };
    }

    /** The RPC status FCM means by an HTTP status, when the body does not say. */
    static String statusOf(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 409 -> "CONFLICT";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> httpStatus >= 500 ? "INTERNAL" : "UNKNOWN";
        };
    }

    /** A {@code Retry-After} in seconds (FCM does not send dates). */
    static @Nullable Duration retryAfter(@Nullable String value) {
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException notSeconds) {
            return null;
        }
    }
}
